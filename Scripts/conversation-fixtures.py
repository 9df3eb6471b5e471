#!/usr/bin/env python3
"""Generates Switchyard's copy of FastChat's conversation templates and the conformance fixtures.

Run once with the test virtualenv (fschat==0.2.36), from the repository root:

    .venv/bin/python Scripts/conversation-fixtures.py [--current PATH/TO/fastchat/conversation.py]

Writes
  Sources/Conversation/ConversationTemplate+FastChatRegistry.swift  every template fschat registers,
      as Swift data (the binary runs from anywhere, so no bundle resource);
  Tests/ConversationTests/Fixtures/fastchat-0.2.36.json  each template as a worker's
      /worker_get_conv_template serialises it, a corpus of conversations, and the prompt
      fastchat.conversation renders for every template x conversation (null where FastChat raises);
  with --current, Tests/ConversationTests/Fixtures/fastchat-current.json  the same for the
      templates of a newer FastChat source file whose separator styles 0.2.36 lacks.
FastChat is the reference here only; nothing of it ships in Switchyard.
"""

import argparse
import dataclasses
import importlib.util
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent

# (system message or None for the template's own, turns, open assistant turn at the end)
CORPUS = [
    (None, ["Hello!"], True),
    ("Be terse.", ["Hello!"], True),
    ("", ["Hi"], True),
    (None, ["What is 2+2?", "4"], False),
    ("You are a pirate.", ["Ahoy", "Arr!", "Where is the gold?"], True),
    (None, ["one", "two", "three", "four", "five", "six"], False),
    ("Sys", ["one", "two", "three", "four", "five"], True),
    (None, [""], True),
    (None, ["", ""], False),
    ("", ["question", ""], False),
    (None, ["héllo wörld, 你好, Здравствуй, 🙂👍🏽, e\u0301, \u00a0nbsp"], True),
    ("système 🤖 {system_message} {{braces}}", ["ça va ?", "très bien 👍", "et toi ?"], True),
    (None, ["  padded with spaces \t\n", " answer \u3000"], False),
    (None, ["lines\r\nwith\n\n\nblank\r\n\r\nlines", "so\n\nmany\n"], False),
    (None, ["ends in n", "fun<n>", "more>"], True),
    ("multi\nline\nsystem", ["<|im_start|> tokens </s> [INST]", "[/INST] ok"], False),
]


def load_module(path):
    spec = importlib.util.spec_from_file_location("reference_conversation", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def serialise(conv):
    """The dict FastAPI's jsonable_encoder makes of a worker's conv (sep_style as int)."""
    fields = dataclasses.asdict(conv)
    fields["sep_style"] = None if conv.sep_style is None else int(conv.sep_style)
    return json.loads(json.dumps(fields))


def render(module, name, system, turns, open_turn):
    conv = module.get_conv_template(name)
    if system is not None:
        conv.set_system_message(system)
    for index, text in enumerate(turns):
        conv.append_message(conv.roles[index % 2], text)
    if open_turn:
        conv.append_message(conv.roles[1], None)
    try:
        return conv.get_prompt()
    except (ValueError, TypeError):
        return None


def fixtures(module, names):
    return {
        "templates": {name: serialise(module.conv_templates[name]) for name in names},
        "conversations": [{"system": s, "turns": t, "open": o} for s, t, o in CORPUS],
        "prompts": {name: [render(module, name, s, t, o) for s, t, o in CORPUS] for name in names},
    }


def swift_string(text):
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        else:
            out.append("\\u{%X}" % code)
    return '"' + "".join(out) + '"'


def swift_optional(text):
    return "nil" if text is None else swift_string(text)


STYLE_CASES = {
    "ADD_COLON_SINGLE": "addColonSingle", "ADD_COLON_TWO": "addColonTwo",
    "ADD_COLON_SPACE_SINGLE": "addColonSpaceSingle", "NO_COLON_SINGLE": "noColonSingle",
    "NO_COLON_TWO": "noColonTwo", "ADD_NEW_LINE_SINGLE": "addNewLineSingle", "LLAMA2": "llama2",
    "LLAMA3": "llama3", "CHATGLM": "chatGLM", "CHATML": "chatML", "CHATINTERN": "chatIntern",
    "DOLLY": "dolly", "RWKV": "rwkv", "PHOENIX": "phoenix", "ROBIN": "robin",
    "FALCON_CHAT": "falconChat", "CHATGLM3": "chatGLM3", "DEEPSEEK_CHAT": "deepseekChat",
    "METAMATH": "metaMath", "YUAN2": "yuan2", "GEMMA": "gemma", "CLLM": "cllm", "DEFAULT": "`default`",
}


def swift_template(conv):
    if conv.stop_str is None:
        stop = ".none"
    elif isinstance(conv.stop_str, str):
        stop = ".single(%s)" % swift_string(conv.stop_str)
    else:
        stop = ".list([%s])" % ", ".join(swift_string(s) for s in conv.stop_str)
    messages = ", ".join(
        ".init(role: %s, text: %s)" % (swift_string(role), swift_optional(text)) for role, text in conv.messages
    )
    style = "nil" if conv.sep_style is None else "." + STYLE_CASES[conv.sep_style.name]
    ids = "nil" if conv.stop_token_ids is None else "[%s]" % ", ".join(str(i) for i in conv.stop_token_ids)
    return (
        "        ConversationTemplate(\n"
        f"            name: {swift_string(conv.name)},\n"
        f"            systemTemplate: {swift_string(conv.system_template)},\n"
        f"            systemMessage: {swift_string(conv.system_message)},\n"
        f"            roles: [{', '.join(swift_string(r) for r in conv.roles)}],\n"
        f"            messages: [{messages}],\n"
        f"            offset: {conv.offset},\n"
        f"            separatorStyle: {style},\n"
        f"            separator: {swift_optional(conv.sep)},\n"
        f"            separator2: {swift_optional(conv.sep2)},\n"
        f"            stopString: {stop},\n"
        f"            stopTokenIDs: {ids}\n"
        "        ),\n"
    )


def write_registry(module, version):
    body = "".join(swift_template(conv) for conv in module.conv_templates.values())
    source = (
        f"// Generated by Scripts/conversation-fixtures.py from fschat {version}'s fastchat.conversation; do not edit.\n\n"
        "extension ConversationTemplate {\n"
        f"    /// Every template fschat {version} registers, in its registration order.\n"
        "    static let fastChatRegistry: [ConversationTemplate] = [\n"
        f"{body}"
        "    ]\n"
        "}\n"
    )
    (ROOT / "Sources/Conversation/ConversationTemplate+FastChatRegistry.swift").write_text(source)


def write_json(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--current", help="a newer FastChat's fastchat/conversation.py, for the styles 0.2.36 lacks")
    args = parser.parse_args()

    import fastchat
    import fastchat.conversation as release

    names = list(release.conv_templates)
    write_registry(release, fastchat.__version__)
    fixture_dir = ROOT / "Tests/ConversationTests/Fixtures"
    write_json(fixture_dir / f"fastchat-{fastchat.__version__}.json", fixtures(release, names))
    print(f"fschat {fastchat.__version__}: {len(names)} templates x {len(CORPUS)} conversations")

    if args.current:
        current = load_module(args.current)
        released = {style.name for style in release.SeparatorStyle}
        newer = [n for n, c in current.conv_templates.items() if c.sep_style is not None and c.sep_style.name not in released]
        write_json(fixture_dir / "fastchat-current.json", fixtures(current, newer))
        print(f"current: {len(newer)} templates x {len(CORPUS)} conversations ({', '.join(newer)})")


if __name__ == "__main__":
    main()
