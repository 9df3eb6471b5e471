"""OpenAI conformance through the official SDK (strict validation), its async client and LangChain.

The simulated workers misbehave on request through the `switchyard_sim` body field, which the
gateway passes through like any unknown field: `fail` (HTTP status before the first byte),
`stall` / `stall_after`, `drop_after` and `error_after` (mid-stream), see SimulatedFault.swift.
"""
import base64
import json
import math
import struct
import time
import urllib.request

import openai
import pytest

from conftest import MAX_BODY_BYTES, MODEL

MESSAGES = [{"role": "developer", "content": "Answer briefly."}, {"role": "user", "content": "tell me about switchyards"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather of a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}, "required": ["city"]},
    },
}


@pytest.fixture
def strict(switchyard):
    return openai.OpenAI(base_url=switchyard["base_url"], api_key="EMPTY", max_retries=0, _strict_response_validation=True)


@pytest.fixture
def async_strict(switchyard):
    return openai.AsyncOpenAI(base_url=switchyard["base_url"], api_key="EMPTY", max_retries=0, _strict_response_validation=True)


def counting_client(switchyard, attempts, **options):
    """A client whose transport counts every HTTP attempt the SDK makes (retries included)."""
    http_client = openai.DefaultHttpxClient(event_hooks={"request": [lambda request: attempts.append(time.monotonic())]})
    return openai.OpenAI(base_url=switchyard["base_url"], api_key="EMPTY", http_client=http_client, **options)


def fault(**spec):
    return {"switchyard_sim": spec}


# Chat completions: shapes, streaming rules, n, usage, tools


def test_strict_chat_completion_has_every_required_field(strict):
    raw = strict.chat.completions.with_raw_response.create(model=MODEL, messages=MESSAGES, temperature=0.5, top_p=0.9, seed=7)
    completion = raw.parse()
    assert raw.headers["content-type"].startswith("application/json")
    assert completion.object == "chat.completion"
    assert completion.choices[0].message.content
    assert completion.choices[0].message.refusal is None
    assert completion.choices[0].logprobs is None
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens


def test_n_choices_are_distinct_and_indexed(strict):
    completion = strict.chat.completions.create(model=MODEL, messages=MESSAGES, n=3)
    assert [choice.index for choice in completion.choices] == [0, 1, 2]
    assert len({choice.message.content for choice in completion.choices}) == 3


def test_streamed_n_choices_interleave_with_one_role_each(strict):
    chunks = list(strict.chat.completions.create(model=MODEL, messages=MESSAGES, n=2, stream=True))
    assert all(len(chunk.choices) == 1 for chunk in chunks)
    for index in (0, 1):
        deltas = [chunk.choices[0] for chunk in chunks if chunk.choices[0].index == index]
        assert [d.delta.role for d in deltas if d.delta.role] == ["assistant"]
        assert [d.finish_reason for d in deltas if d.finish_reason] == ["stop"]
        assert deltas[-1].finish_reason == "stop"


def test_usage_chunk_only_when_asked(strict):
    without = list(strict.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True))
    assert all(chunk.usage is None for chunk in without)
    assert all(chunk.choices for chunk in without)
    asked = list(strict.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True, stream_options={"include_usage": True}))
    assert asked[-1].choices == [] and asked[-1].usage.completion_tokens == 12
    assert all(chunk.usage is None for chunk in asked[:-1])


def test_lenient_combinations_real_clients_send(strict):
    # The SDK's own "all params" test sends these; OpenAI itself would say 400.
    completion = strict.chat.completions.create(
        model=MODEL, messages=MESSAGES, stream=False, stream_options={"include_usage": True},
        max_tokens=10, max_completion_tokens=4, parallel_tool_calls=True, stop="never",
    )
    assert completion.usage.completion_tokens == 4
    assert completion.choices[0].finish_reason == "length"


def test_unknown_fields_pass_through_to_the_worker(strict):
    completion = strict.chat.completions.create(
        model=MODEL, messages=MESSAGES, stop=["a", "b"],
        extra_body={"top_k": 20, "chat_template_kwargs": {"enable_thinking": False}, "grammar": "root ::= .*"},
    )
    assert completion.choices[0].message.content


def test_tool_call_non_streamed(strict):
    completion = strict.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "weather in Oslo"}], tools=[WEATHER_TOOL])
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    call = choice.message.tool_calls[0]
    assert call.id.startswith("call_") and call.type == "function" and call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "weather in Oslo", "days": 1}


def test_tool_call_fragments_reassemble_in_the_sdk_accumulator(strict):
    with strict.chat.completions.stream(
        model=MODEL, messages=[{"role": "user", "content": "weather in Oslo"}], tools=[WEATHER_TOOL],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    ) as stream:
        final = stream.get_final_completion()
    message = final.choices[0].message
    assert message.role == "assistant"
    assert final.choices[0].finish_reason == "tool_calls"
    call = message.tool_calls[0]
    assert call.id.startswith("call_") and "call_" not in call.id[5:]
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments)["city"] == "weather in Oslo"


def test_raw_tool_fragments_carry_index_and_name_once(strict):
    chunks = list(strict.chat.completions.create(model=MODEL, messages=MESSAGES, tools=[WEATHER_TOOL], stream=True))
    fragments = [call for chunk in chunks for call in (chunk.choices[0].delta.tool_calls or [])]
    assert len(fragments) > 2
    assert all(fragment.index == 0 for fragment in fragments)
    assert [f.function.name for f in fragments if f.function.name] == ["get_weather"]
    assert [f.id for f in fragments if f.id] == [fragments[0].id]


def test_tool_choice_none_answers_in_text(strict):
    completion = strict.chat.completions.create(model=MODEL, messages=MESSAGES, tools=[WEATHER_TOOL], tool_choice="none")
    assert completion.choices[0].message.content and not completion.choices[0].message.tool_calls


def test_json_response_format_parses(strict):
    completion = strict.chat.completions.create(model=MODEL, messages=MESSAGES, response_format={"type": "json_object"})
    assert "answer" in json.loads(completion.choices[0].message.content)
    streamed = "".join(
        chunk.choices[0].delta.content or ""
        for chunk in strict.chat.completions.create(model=MODEL, messages=MESSAGES, response_format={"type": "json_object"}, stream=True)
    )
    assert json.loads(streamed) == json.loads(completion.choices[0].message.content)


@pytest.mark.asyncio
async def test_async_client_streams_and_completes(async_strict):
    completion = await async_strict.chat.completions.create(model=MODEL, messages=MESSAGES)
    stream = await async_strict.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True, stream_options={"include_usage": True})
    text = ""
    async for chunk in stream:
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
    assert text == completion.choices[0].message.content
    await async_strict.close()


# Other endpoints


def test_legacy_completions(switchyard, strict):
    completion = strict.completions.create(model=MODEL, prompt="once upon a time", max_tokens=5)
    assert completion.object == "text_completion" and completion.id.startswith("cmpl-")
    assert completion.choices[0].text == "once upon a time once"
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage.prompt_tokens == 4 and completion.usage.completion_tokens == 5
    # The SDK types `finish_reason` as never null, though OpenAI streams null until the end; so no strict mode here.
    loose = openai.OpenAI(base_url=switchyard["base_url"], api_key="EMPTY", max_retries=0)
    chunks = list(loose.completions.create(model=MODEL, prompt="once upon a time", max_tokens=5, stream=True, stream_options={"include_usage": True}))
    assert all(chunk.object == "text_completion" for chunk in chunks)
    assert "".join(c.choices[0].text for c in chunks if c.choices) == completion.choices[0].text
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == 5


def test_completions_with_several_prompts_number_choices_across_them(strict):
    completion = strict.completions.create(model=MODEL, prompt=["a b", "c d"], max_tokens=2, n=2)
    assert [choice.index for choice in completion.choices] == [0, 1, 2, 3]


def test_embeddings_default_base64_is_decoded_by_the_sdk(switchyard):
    # Strict mode validates before the SDK decodes its own default base64, so this is the loose client users have.
    client = openai.OpenAI(base_url=switchyard["base_url"], api_key="EMPTY", max_retries=0)
    result = client.embeddings.create(model=MODEL, input="hello world")
    vector = result.data[0].embedding
    assert len(vector) == 64
    assert math.isclose(sum(x * x for x in vector), 1.0, rel_tol=1e-4)
    assert result.usage.prompt_tokens == 2


def test_embeddings_float_format_and_batches(switchyard, strict):
    floats = strict.embeddings.create(model=MODEL, input=["hello world", "goodbye"], encoding_format="float", dimensions=8)
    assert [item.index for item in floats.data] == [0, 1]
    assert len(floats.data[0].embedding) == 8
    assert floats.data[0].embedding != floats.data[1].embedding
    # The wire really carries base64 little-endian float32 when asked.
    body = json.dumps({"model": MODEL, "input": "hello world", "encoding_format": "base64", "dimensions": 8}).encode()
    request = urllib.request.Request(switchyard["base_url"] + "/embeddings", data=body, headers={"content-type": "application/json"})
    encoded = json.load(urllib.request.urlopen(request))["data"][0]["embedding"]
    decoded = struct.unpack("<8f", base64.b64decode(encoded))
    assert all(math.isclose(a, b, rel_tol=1e-6) for a, b in zip(decoded, floats.data[0].embedding))
    tokens = strict.embeddings.create(model=MODEL, input=[[1, 2, 3], [4, 5]], encoding_format="float")
    assert len(tokens.data) == 2


def test_models_with_slashes_resolve(strict):
    with pytest.raises(openai.NotFoundError) as raised:
        strict.models.retrieve("meta-llama/Llama-3-8B")
    assert raised.value.code == "model_not_found"


# Validation: 400 with OpenAI's param and code


@pytest.mark.parametrize(
    "extra, param, code",
    [
        ({"temperature": 3}, "temperature", "decimal_above_max_value"),
        ({"top_p": -0.5}, "top_p", "decimal_below_min_value"),
        ({"n": 0}, "n", "integer_below_min_value"),
        ({"max_tokens": "many"}, "max_tokens", "invalid_type"),
        ({"stop": ["a", "b", "c", "d", "e"]}, "stop", "array_above_max_length"),
        ({"stop": 5}, "stop", "invalid_type"),
        ({"messages": []}, "messages", "empty_array"),
        ({"messages": [{"role": "robot", "content": "hi"}]}, "messages[0].role", "invalid_value"),
        ({"messages": [{"role": "user"}]}, "messages[0].content", "missing_required_parameter"),
        ({"messages": [{"role": "tool", "content": "42"}]}, "messages[0].tool_call_id", "missing_required_parameter"),
        ({"messages": [{"role": "user", "content": [{"text": "x"}]}]}, "messages[0].content[0].type", "missing_required_parameter"),
        ({"stream": "yes"}, "stream", "invalid_type"),
        ({"tools": [{"type": "function"}]}, "tools[0].function", "missing_required_parameter"),
        ({"response_format": {"type": "xml"}}, "response_format.type", "invalid_value"),
    ],
)
def test_invalid_chat_requests_name_param_and_code(strict, extra, param, code):
    body = {"model": MODEL, "messages": MESSAGES, **extra}
    with pytest.raises(openai.BadRequestError) as raised:
        strict.post("/chat/completions", body=body, cast_to=object)
    assert raised.value.status_code == 400
    assert raised.value.param == param
    assert raised.value.code == code
    assert raised.value.type == "invalid_request_error"


def test_missing_model_and_messages(strict):
    with pytest.raises(openai.BadRequestError) as raised:
        strict.post("/chat/completions", body={"messages": MESSAGES}, cast_to=object)
    assert raised.value.code == "missing_required_parameter" and raised.value.param == "model"
    with pytest.raises(openai.BadRequestError) as raised:
        strict.post("/chat/completions", body={"model": MODEL}, cast_to=object)
    assert raised.value.param == "messages"


def test_invalid_embedding_input(strict):
    with pytest.raises(openai.BadRequestError) as raised:
        strict.embeddings.create(model=MODEL, input="")
    assert raised.value.param == "input"
    with pytest.raises(openai.BadRequestError):
        strict.embeddings.create(model=MODEL, input="x", encoding_format="int8")


def test_oversized_body_is_413(strict):
    huge = [{"role": "user", "content": "x" * (MAX_BODY_BYTES + 10)}]
    with pytest.raises(openai.APIStatusError) as raised:
        strict.chat.completions.create(model=MODEL, messages=huge)
    assert raised.value.status_code == 413
    assert raised.value.body["message"]


def test_unknown_route_is_an_openai_404(strict):
    with pytest.raises(openai.NotFoundError) as raised:
        strict.post("/no/such/route", body={}, cast_to=object)
    assert "Invalid URL" in raised.value.message


# Errors map to the SDK's exception classes; the request id travels


@pytest.mark.parametrize(
    "status, exception",
    [
        (400, openai.BadRequestError),
        (401, openai.AuthenticationError),
        (403, openai.PermissionDeniedError),
        (404, openai.NotFoundError),
        (409, openai.ConflictError),
        (422, openai.UnprocessableEntityError),
        (429, openai.RateLimitError),
        (500, openai.InternalServerError),
        (502, openai.InternalServerError),
        (503, openai.InternalServerError),
        (504, openai.InternalServerError),
    ],
)
def test_worker_statuses_reach_the_sdk_as_its_exception_classes(strict, status, exception):
    with pytest.raises(exception) as raised:
        strict.chat.completions.create(model=MODEL, messages=MESSAGES, extra_body=fault(fail=status))
    assert raised.value.status_code == status
    assert raised.value.body["message"]
    assert raised.value.request_id


def test_client_request_id_is_echoed(strict):
    raw = strict.chat.completions.with_raw_response.create(model=MODEL, messages=MESSAGES, extra_headers={"x-request-id": "trace-me-42"})
    assert raw.headers["x-request-id"] == "trace-me-42"
    with pytest.raises(openai.BadRequestError) as raised:
        strict.chat.completions.create(model=MODEL, messages=[], extra_headers={"x-request-id": "trace-me-43"})
    assert raised.value.request_id == "trace-me-43"


@pytest.mark.parametrize("status", [429, 503])
def test_sdk_retries_honouring_retry_after(switchyard, status):
    attempts = []
    client = counting_client(switchyard, attempts, max_retries=2)
    with pytest.raises(openai.APIStatusError) as raised:
        client.chat.completions.create(model=MODEL, messages=MESSAGES, extra_body=fault(fail=status, retry_after=0.3))
    assert raised.value.status_code == status
    assert raised.value.response.headers["retry-after-ms"] == "300"
    assert raised.value.response.headers["retry-after"] == "1"
    assert len(attempts) == 3
    # The SDK slept the advised 0.3 s (not its own ~0.5 s backoff) before each retry.
    gaps = [later - earlier for earlier, later in zip(attempts, attempts[1:])]
    assert all(gap >= 0.29 for gap in gaps)


def test_non_retryable_statuses_are_tried_once(switchyard):
    attempts = []
    client = counting_client(switchyard, attempts, max_retries=2)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=MODEL, messages=MESSAGES, extra_body=fault(fail=400))
    assert len(attempts) == 1


# Streams: framing, headers, keep-alives, errors after the first byte


def raw_stream(switchyard, body):
    request = urllib.request.Request(
        switchyard["base_url"] + "/chat/completions",
        data=json.dumps({"model": MODEL, "messages": MESSAGES, "stream": True, **body}).encode(),
        headers={"content-type": "application/json", "accept": "application/json"},
    )
    response = urllib.request.urlopen(request)
    return response, response.read().decode()


def test_stream_framing_and_headers(switchyard):
    response, text = raw_stream(switchyard, {})
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    assert response.headers["x-request-id"]
    events = text.split("\n\n")
    assert events[-1] == "" and events[-2] == "data: [DONE]"
    for event in events[:-1]:
        assert event.startswith("data: ") and "\n" not in event
        assert not event.startswith(("id:", "retry:", "event:"))


def test_long_silences_get_keep_alive_comments_the_sdk_ignores(switchyard, strict):
    _, text = raw_stream(switchyard, fault(stall=1.0, stall_after=2))
    assert ": keep-alive\n\n" in text
    chunks = list(strict.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True, extra_body=fault(stall=1.0, stall_after=2)))
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_error_before_the_first_byte_of_a_stream_is_a_status(strict):
    with pytest.raises(openai.InternalServerError) as raised:
        strict.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True, extra_body=fault(fail=503))
    assert raised.value.status_code == 503


def test_error_after_the_first_byte_raises_api_error(strict):
    stream = strict.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True, extra_body=fault(error_after=3))
    received = []
    with pytest.raises(openai.APIError) as raised:
        for chunk in stream:
            received.append(chunk)
    assert len(received) == 4  # the role chunk and three tokens
    assert "mid-stream" in raised.value.message
    assert raised.value.type == "server_error"


def test_worker_dropping_mid_stream_becomes_an_error_event(switchyard, strict):
    _, text = raw_stream(switchyard, fault(drop_after=2))
    events = [event for event in text.split("\n\n") if event]
    assert json.loads(events[-1][len("data: "):])["error"]["type"] == "server_error"
    with pytest.raises(openai.APIError):
        list(strict.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True, extra_body=fault(drop_after=2)))


# LangChain


def test_langchain_chat_openai_invoke_stream_and_tools(switchyard):
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(model=MODEL, base_url=switchyard["base_url"], api_key="EMPTY", max_retries=0)
    reply = llm.invoke([("system", "Answer briefly."), ("human", "tell me about switchyards")])
    assert reply.content
    streamed = "".join(chunk.content for chunk in llm.stream("tell me about switchyards"))
    assert streamed
    usage_llm = ChatOpenAI(model=MODEL, base_url=switchyard["base_url"], api_key="EMPTY", stream_usage=True)
    last = None
    for chunk in usage_llm.stream("hello there"):
        last = chunk if last is None else last + chunk
    assert last.usage_metadata["output_tokens"] == 12
    with_tools = llm.bind_tools([WEATHER_TOOL])
    called = with_tools.invoke("weather in Oslo")
    assert called.tool_calls[0]["name"] == "get_weather"
    assert called.tool_calls[0]["args"]["city"] == "weather in Oslo"
    streamed_call = None
    for chunk in with_tools.stream("weather in Oslo"):
        streamed_call = chunk if streamed_call is None else streamed_call + chunk
    assert streamed_call.tool_calls[0]["name"] == "get_weather"
    assert streamed_call.tool_calls[0]["args"]["city"] == "weather in Oslo"
