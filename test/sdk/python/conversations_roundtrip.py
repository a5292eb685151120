"""Drives threadstore's Conversations API through the official Python SDK and prints one JSON document.

Usage: python conversations_roundtrip.py BASE_URL   (e.g. http://127.0.0.1:PORT/v1)

It checks nothing itself: test/sdk-python-conversations.test.ts asserts the output.
"""

import json
import sys

import openai
from openai import OpenAI


def main(base_url):
    client = OpenAI(base_url=base_url, api_key="test-key", max_retries=0)
    out = {}
    conversation = client.conversations.create(metadata={"topic": "demo"}, items=[{"role": "user", "content": "Hello!"}])
    out["created"] = conversation.model_dump()
    out["retrieved"] = client.conversations.retrieve(conversation.id).model_dump()
    out["updated"] = client.conversations.update(conversation.id, metadata={"topic": "x"}).model_dump()

    added = client.conversations.items.create(
        conversation.id,
        items=[
            {"type": "reasoning", "summary": [{"type": "summary_text", "text": "thinking"}]},
            {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "ok"},
            {"role": "assistant", "content": "Done."},
        ],
        include=["message.output_text.logprobs"],
    )
    out["added"] = [item.model_dump(exclude_unset=True) for item in added.data]
    out["ascending"] = [item.id for item in client.conversations.items.list(conversation.id, order="asc", limit=2)]
    out["descending"] = [item.id for item in client.conversations.items.list(conversation.id, limit=2)]
    out["retrieved_item"] = client.conversations.items.retrieve(added.data[1].id, conversation_id=conversation.id).model_dump(exclude_unset=True)
    out["after_item_delete"] = client.conversations.items.delete(added.data[3].id, conversation_id=conversation.id).model_dump()
    # The same conversation through the thread API: only the user message shows there.
    out["thread_messages"] = [m.role for m in client.beta.threads.messages.list(conversation.id)]
    out["deleted"] = client.conversations.delete(conversation.id).model_dump()
    try:
        client.conversations.retrieve(conversation.id)
        out["missing"] = None
    except openai.NotFoundError as error:
        out["missing"] = {"status": error.status_code, "body": error.body}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
