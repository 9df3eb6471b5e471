"""The official openai SDK against a live `switchyard up`: what users of the SDK actually call."""
import json
import pathlib

import openai
import pytest

from conftest import MODEL

SEEDS = pathlib.Path(__file__).resolve().parents[2] / "seeds" / "prompts.jsonl"
PROMPTS = [json.loads(line) for line in SEEDS.read_text().splitlines() if line.strip()]


@pytest.fixture
def client(switchyard):
    return openai.OpenAI(base_url=switchyard["base_url"], api_key="EMPTY", max_retries=0)


def test_models_list_the_simulated_model(client):
    models = client.models.list()
    assert MODEL in [model.id for model in models.data]
    assert all(model.object == "model" for model in models.data)


def test_models_retrieve(client):
    assert client.models.retrieve(MODEL).id == MODEL
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("no-such-model")


@pytest.mark.parametrize("prompt", PROMPTS)
def test_chat_completion(client, prompt):
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=prompt["messages"])
    assert raw.headers.get("x-request-id")
    completion = raw.parse()
    assert completion.object == "chat.completion"
    assert completion.id.startswith("chatcmpl-")
    choice = completion.choices[0]
    assert choice.message.role == "assistant"
    assert choice.message.content
    assert choice.finish_reason == "stop"
    assert completion.usage.completion_tokens == 12
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + 12


@pytest.mark.parametrize("prompt", PROMPTS)
def test_streamed_chat_matches_non_streamed(client, prompt):
    full = client.chat.completions.create(model=MODEL, messages=prompt["messages"])
    stream = client.chat.completions.create(
        model=MODEL, messages=prompt["messages"], stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    roles = [c.choices[0].delta.role for c in chunks if c.choices and c.choices[0].delta.role]
    assert roles == ["assistant"]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == full.choices[0].message.content
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["stop"]
    assert chunks[-1].choices == []
    assert chunks[-1].usage.completion_tokens == full.usage.completion_tokens


def test_stream_accumulator_sees_one_role(client):
    with client.chat.completions.stream(model=MODEL, messages=PROMPTS[0]["messages"]) as stream:
        final = stream.get_final_completion()
    assert final.choices[0].message.role == "assistant"
    assert final.choices[0].message.content


def test_max_tokens_cuts_with_length(client):
    completion = client.chat.completions.create(model=MODEL, messages=PROMPTS[0]["messages"], max_completion_tokens=3)
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage.completion_tokens == 3


def test_unknown_model_is_not_found(client):
    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(model="no-such-model", messages=PROMPTS[0]["messages"])
    assert raised.value.status_code == 404
    assert raised.value.code == "model_not_found"
    assert raised.value.body["param"] == "model"
