"""Property-based fuzzing of every Rasa listener (hypothesis) against the real server.

REST bodies, socket.io events and the four messenger webhooks (with valid
signatures, so the payload reaches the connector's parser and the dialogue) get
generated input: random JSON, structurally plausible payloads with random parts,
hostile strings, planted personal data. For every input: no 5xx. After each
listener: the server still answers. At the end: none of the planted personal data
is stored in clear in the tracker store, and the server logged no unhandled error.

The number of inputs per listener is ``FUZZ_EXAMPLES`` (environment, default 60).
The inputs are derandomised (the same on every run) so that CI is reproducible;
``make fuzz`` sets ``FUZZ_RANDOM=1`` and more examples to explore new inputs, and
every failure it finds is kept below as an ``@example``.
the totals are printed (``pytest -s``) for docs/reliability.md. The tests run in file
order; the last one checks what the others left behind.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sqlite3
import time
import urllib.parse
from collections import Counter
from typing import Any

import socketio
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.channels.conftest import (
    MESSENGER_SECRET,
    PHONE_NUMBER_ID,
    TELEGRAM_SECRET,
    TWILIO_TOKEN,
    WHATSAPP_SECRET,
    Stack,
)
from tests.channels.fakes import hub_signature, twilio_signature
from tests.channels.sockets import Client

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=os.environ.get("FUZZ_RANDOM") != "1",
    deadline=None,
    database=None,  # no .hypothesis/ directory in the repository
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Personal data planted in texts and metadata; the tracker store must not hold it in clear.
PLANTED = {
    "phone": "0176 84736251",
    "email": "fuzz.planted@example.org",
    "iban": "DE89 3704 0044 0532 0130 00",
}

#: Inputs tried and statuses seen, per listener (printed at the end).
TRIED: Counter[str] = Counter()
STATUSES: dict[str, Counter[int]] = {}

pii = st.sampled_from(sorted(PLANTED.values()))
hostile_strings = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\u202e",
        "=2+3",
        "/greet",
        "/delete_my_data",
        "/affirm",
        '/inform{"city": "=2+3", "office_type": "jobcenter"}',
        '/inform{"city": ' + "[" * 50 + "]" * 50 + "}",
        "Wo ist das Jobcenter in Essen?",
        "{{template}} %s %(x)s ${env}",
        "<script>alert(1)</script>",
        "a" * 5000,
        "😀" * 300,
    ]
)
texts = st.one_of(
    st.text(max_size=200),
    hostile_strings,
    st.builds(lambda a, p, b: f"{a} {p} {b}", st.text(max_size=40), pii, st.text(max_size=40)),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def either(valid: Any) -> st.SearchStrategy[Any]:
    """The valid value (or strategy) or, as often, any JSON value in its place."""
    valid = valid if isinstance(valid, st.SearchStrategy) else st.just(valid)
    return st.one_of(valid, valid, json_values)


ADDRESSES = itertools.count(1)


def new_ip() -> str:
    """A fresh client address (as the proxy forwards it), so rate limits stay out of the way.

    A counter, not ``random``: hypothesis seeds ``random`` the same for every example.
    """
    n = next(ADDRESSES)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def record(listener: str, status: int) -> None:
    TRIED[listener] += 1
    STATUSES.setdefault(listener, Counter())[status] += 1
    assert status < 500, f"{listener}: {status}"


def assert_alive(stack: Stack) -> None:
    assert stack.get("/")[0] == 200


# ---- REST ---------------------------------------------------------------------------

rest_bodies = st.one_of(
    json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=300),
    st.fixed_dictionaries(
        {"sender": st.uuids().map(lambda u: f"fuzz-{u.hex}"), "message": texts},
        optional={"metadata": json_values},
    ).map(lambda body: json.dumps(body).encode()),
    st.fixed_dictionaries(
        {
            "sender": either(st.text(min_size=1, max_size=40).map(lambda s: "fuzz-" + s)),
            "message": either(texts),
        },
        optional={
            "metadata": either(
                st.fixed_dictionaries(
                    {"language": either(st.sampled_from(["de", "ar", "uk-UA", "x" * 17]))},
                    optional={"profile": json_values, "email": pii},
                )
            ),
            "input_channel": either(st.just("=2+3")),
        },
    ).map(lambda body: json.dumps(body).encode()),
)


@FUZZ
@given(body=rest_bodies, stream=st.booleans())
def test_fuzz_rest(stack: Stack, body: bytes, stream: bool):
    path = "/webhooks/rest/webhook" + ("?stream=true" if stream else "")
    headers = {
        "Content-Type": "application/json",
        "Authorization": "Bearer test-rest-token",
        "X-Forwarded-For": new_ip(),
    }
    record("rest", stack.post(path, body, headers)[0])


def test_rest_survived(stack: Stack):
    assert TRIED["rest"] == EXAMPLES
    assert_alive(stack)


# ---- socket.io ----------------------------------------------------------------------

socket_events = st.lists(
    st.tuples(
        st.sampled_from(
            ["session_request", "user_uttered", "deletion_status", "message", "connect", "x"]
        ),
        st.one_of(
            json_values,
            st.fixed_dictionaries(
                {"message": either(texts), "session_id": either(st.none())},
                optional={"metadata": either(st.fixed_dictionaries({"language": pii}))},
            ),
        ),
    ),
    min_size=1,
    max_size=6,
)


async def socket_session(stack: Stack, events: list[tuple[str, Any]]) -> None:
    async with Client(stack.base, ip=new_ip()) as client:
        session = await client.session(None)
        for name, data in events:
            if isinstance(data, dict) and data.get("session_id", 0) is None:
                data = {**data, "session_id": session}  # the socket's own conversation
            if name == "deletion_status":
                try:
                    await client.sio.call(name, data, timeout=20)
                except socketio.exceptions.TimeoutError:
                    pass  # dropped (e.g. over the rate): not an error
            elif isinstance(data, list) and len(data) == 2:
                await client.sio.emit(name, tuple(data))  # an event with two arguments
            elif data is None:
                await client.sio.emit(name)  # an event without any
            else:
                await client.sio.emit(name, data)
            TRIED["socket.io events"] += 1
        # The socket still works: a new session is confirmed after everything above.
        assert await client.session(None)
        assert client.sio.connected


@FUZZ
@given(events=socket_events)
def test_fuzz_socketio(stack: Stack, events: list[tuple[str, Any]]):
    asyncio.run(socket_session(stack, events))
    TRIED["socket.io connections"] += 1


def test_socketio_survived(stack: Stack):
    assert TRIED["socket.io connections"] == EXAMPLES
    assert_alive(stack)


# ---- webhooks, validly signed -------------------------------------------------------

numbers = st.integers(min_value=10**9, max_value=10**10)
telegram_updates = st.fixed_dictionaries(
    {
        "update_id": either(st.integers(min_value=0, max_value=2**40)),
    },
    optional={
        "message": either(
            st.fixed_dictionaries(
                {
                    "message_id": either(st.integers(0, 10**6)),
                    "chat": either(st.fixed_dictionaries({"id": either(numbers)})),
                    "text": either(texts),
                },
                optional={
                    "from": either(st.fixed_dictionaries({"language_code": either(st.just("uk"))})),
                    "photo": json_values,
                },
            )
        ),
        "callback_query": either(
            st.fixed_dictionaries(
                {
                    "id": either(st.text(max_size=10)),
                    "data": either(texts),
                    "message": either(
                        st.fixed_dictionaries({"chat": st.fixed_dictionaries({"id": numbers})})
                    ),
                }
            )
        ),
    },
)


@FUZZ
@given(update=st.one_of(telegram_updates, json_values))
@example(update={"update_id": 1, "message": {"chat": {"id": 7}, "from": "x", "text": "hallo"}})
def test_fuzz_telegram(stack: Stack, update: Any):
    headers = {
        "Content-Type": "application/json",
        "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
        "X-Forwarded-For": new_ip(),
    }
    body = json.dumps(update).encode()
    record("telegram", stack.post("/webhooks/telegram/webhook", body, headers)[0])


messenger_payloads = st.fixed_dictionaries(
    {
        "object": either("page"),
        "entry": either(
            st.lists(
                either(
                    st.fixed_dictionaries(
                        {
                            "messaging": either(
                                st.lists(
                                    either(
                                        st.fixed_dictionaries(
                                            {
                                                "sender": either(
                                                    st.fixed_dictionaries(
                                                        {"id": either(numbers.map(str))}
                                                    )
                                                ),
                                            },
                                            optional={
                                                "message": either(
                                                    st.fixed_dictionaries(
                                                        {
                                                            "mid": either(st.uuids().map(str)),
                                                            "text": either(texts),
                                                        },
                                                        optional={
                                                            "quick_reply": json_values,
                                                            "is_echo": st.booleans(),
                                                        },
                                                    )
                                                ),
                                                "postback": json_values,
                                                "locale": either("ar_AR"),
                                            },
                                        )
                                    ),
                                    max_size=3,
                                )
                            )
                        }
                    )
                ),
                max_size=2,
            )
        ),
    }
)


@FUZZ
@given(payload=st.one_of(messenger_payloads, json_values))
@example(payload={"object": "page", "entry": [{"messaging": True}]})
@example(payload={"object": "page", "entry": [{"messaging": [{"sender": "x", "message": {}}]}]})
@example(payload={"entry": [{"messaging": [{"sender": {"id": "1"}, "message": {"text": 5}}]}]})
@example(
    payload={"entry": [{"messaging": [{"sender": {"id": "1", "locale": []}, "postback": {}}]}]}
)
def test_fuzz_messenger(stack: Stack, payload: Any):
    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": hub_signature(MESSENGER_SECRET, body),
        "X-Forwarded-For": new_ip(),
    }
    record("facebook", stack.post("/webhooks/facebook/webhook", body, headers)[0])


whatsapp_messages = st.fixed_dictionaries(
    {
        "from": either(numbers.map(lambda n: "49" + str(n))),
        "id": either(st.uuids().map(lambda u: f"wamid.{u.hex}")),
        "type": either(st.sampled_from(["text", "interactive", "button", "image", "reaction"])),
    },
    optional={
        "text": either(st.fixed_dictionaries({"body": either(texts)})),
        "interactive": json_values,
        "button": json_values,
    },
)
whatsapp_payloads = st.fixed_dictionaries(
    {
        "object": either("whatsapp_business_account"),
        "entry": either(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "changes": either(
                            st.lists(
                                st.fixed_dictionaries(
                                    {
                                        "field": either("messages"),
                                        "value": either(
                                            st.fixed_dictionaries(
                                                {
                                                    "messaging_product": st.just("whatsapp"),
                                                    "metadata": st.just(
                                                        {"phone_number_id": PHONE_NUMBER_ID}
                                                    ),
                                                    "messages": either(
                                                        st.lists(whatsapp_messages, max_size=3)
                                                    ),
                                                },
                                                optional={"statuses": json_values},
                                            )
                                        ),
                                    }
                                ),
                                max_size=2,
                            )
                        )
                    }
                ),
                max_size=2,
            )
        ),
    }
)


@FUZZ
@given(payload=st.one_of(whatsapp_payloads, json_values))
@example(payload={"entry": [{"changes": True}]})
@example(
    payload={
        "entry": [
            {
                "changes": [
                    {
                        "field": "messages",
                        "value": {"messages": [{"from": "49", "id": "m", "type": []}]},
                    }
                ]
            }
        ]
    }
)
@example(
    payload={
        "entry": [
            {
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messages": [{"from": "49", "id": "m2", "type": "text", "text": "hi"}]
                        },
                    }
                ]
            }
        ]
    }
)
def test_fuzz_whatsapp_cloud(stack: Stack, payload: Any):
    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": hub_signature(WHATSAPP_SECRET, body),
        "X-Forwarded-For": new_ip(),
    }
    record("whatsapp", stack.post("/webhooks/whatsapp/webhook", body, headers)[0])


field_text = st.text(max_size=60)
twilio_forms = st.fixed_dictionaries(
    {
        "From": st.one_of(numbers.map(lambda n: f"whatsapp:+49{n}"), field_text),
        "MessageSid": st.one_of(st.uuids().map(lambda u: "SM" + u.hex), field_text),
        "Body": texts,
    },
    optional={
        "NumMedia": st.sampled_from(["0", "1", "x"]),
        "MediaUrl0": field_text,
        "ButtonPayload": texts,
        "Latitude": field_text,
    },
).flatmap(
    lambda form: st.dictionaries(field_text, field_text, max_size=5).map(
        lambda extra: {**extra, **form}
    )
)


@FUZZ
@given(params=twilio_forms)
def test_fuzz_twilio(stack: Stack, params: dict[str, str]):
    body = urllib.parse.urlencode(params).encode()
    signature = twilio_signature(TWILIO_TOKEN, f"{stack.base}/webhooks/twilio/webhook", params)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
        "X-Forwarded-For": new_ip(),
    }
    record("twilio", stack.post("/webhooks/twilio/webhook", body, headers)[0])


# ---- after all of it ----------------------------------------------------------------


def settled(stack: Stack, quiet: float = 5.0, timeout: float = 300.0) -> None:
    """Wait until the background turns of the webhooks stop adding events."""
    deadline = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        with sqlite3.connect(stack.db) as conn:
            (count,) = conn.execute("SELECT count(*) FROM events").fetchone()
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.5)


def test_nothing_planted_is_stored_and_nothing_crashed(stack: Stack):
    assert set(TRIED) >= {"rest", "telegram", "facebook", "whatsapp", "twilio"}
    settled(stack)
    assert_alive(stack)
    with sqlite3.connect(stack.db) as conn:
        rows = conn.execute("SELECT sender_id, data FROM events").fetchall()
    stored = "\n".join(f"{sender} {data}" for sender, data in rows)
    digits_only = {value.replace(" ", "") for value in PLANTED.values()}
    leaked = [v for v in {*PLANTED.values(), *digits_only} if v in stored]
    log = stack.log.read_text(errors="replace")
    unhandled = log.count("Exception occurred while handling uri") + log.count("Traceback")
    failed_turns = log.count("failed to handle")
    print(
        f"\nfuzz: {dict(TRIED)}; statuses { ({k: dict(v) for k, v in STATUSES.items()}) }; "
        f"{len(rows)} events stored; planted values found: {leaked}; "
        f"unhandled errors: {unhandled}; failed background turns: {failed_turns}"
    )
    assert leaked == []
    assert unhandled == 0
    assert failed_turns == 0
