"""Drives threadstore through the official Python SDK and prints what came back as one JSON document.

Usage: python sdk_roundtrip.py ORIGIN CLIENT KEY OTHER_TENANT_KEY WRONG_KEY API_VERSION
  ORIGIN: the server, e.g. http://127.0.0.1:PORT; CLIENT: OpenAI (base URL ORIGIN/v1) or AzureOpenAI
  (azure_endpoint ORIGIN, api_version API_VERSION).

It checks nothing itself: test/sdk-python.test.ts asserts the output.
"""

import json
import sys

import openai
from openai import AzureOpenAI, OpenAI


def error_of(call):
    """Runs a call that should fail and reports the SDK's error object; a success is reported as such."""
    try:
        call()
    except openai.APIStatusError as error:
        return {
            "class": type(error).__name__,
            "status": error.status_code,
            "message": error.message,
            "body": error.body,
            "code": error.code,
            "param": error.param,
            "type": error.type,
            "request_id": error.request_id,
        }
    return {"class": None}


def page_walk(client, thread_id, order):
    """Follows get_next_page by hand and records each page."""
    page = client.beta.threads.messages.list(thread_id, limit=3, order=order)
    pages = [page]
    while page.has_next_page():
        page = page.get_next_page()
        pages.append(page)
    return [{"ids": [m.id for m in p.data], "has_more": p.has_more} for p in pages]


def connect(origin, client, api_key, api_version):
    if client == "AzureOpenAI":
        return AzureOpenAI(azure_endpoint=origin, api_key=api_key, api_version=api_version, max_retries=0)
    return OpenAI(base_url=f"{origin}/v1", api_key=api_key, max_retries=0)


def intrusions(client, thread_id, message_id):
    """Every operation on another tenant's thread and message, each reported as its error."""
    threads = client.beta.threads
    messages = threads.messages
    return {
        "retrieve_thread": error_of(lambda: threads.retrieve(thread_id)),
        "update_thread": error_of(lambda: threads.update(thread_id, metadata={"hacked": "yes"})),
        "delete_thread": error_of(lambda: threads.delete(thread_id)),
        "create_message": error_of(lambda: messages.create(thread_id, role="user", content="x")),
        "list_messages": error_of(lambda: messages.list(thread_id)),
        "retrieve_message": error_of(lambda: messages.retrieve(message_id, thread_id=thread_id)),
        "update_message": error_of(lambda: messages.update(message_id, thread_id=thread_id, metadata={})),
        "delete_message": error_of(lambda: messages.delete(message_id, thread_id=thread_id)),
    }


def main(origin, client_name, key, other_tenant_key, wrong_key, api_version):
    client = connect(origin, client_name, key, api_version)
    threads = client.beta.threads
    messages = threads.messages
    out = {"sdk_version": openai.__version__}

    thread = threads.create(
        messages=[{"role": "user", "content": "Hello"}],
        metadata={"project": "demo", "owner": "ana"},
    )
    out["thread_created"] = thread.to_dict()
    out["thread_retrieved"] = threads.retrieve(thread.id).to_dict()
    out["thread_updated"] = threads.update(thread.id, metadata={"project": "renamed"}).to_dict()

    created = messages.create(
        thread.id,
        role="assistant",
        content=[
            {"type": "text", "text": "Look"},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
        ],
        metadata={"a": "1"},
    )
    out["message_created"] = created.to_dict()
    out["message_retrieved"] = messages.retrieve(created.id, thread_id=thread.id).to_dict()
    out["message_updated"] = messages.update(created.id, thread_id=thread.id, metadata={"b": "2"}).to_dict()
    out["message_list"] = [m.to_dict() for m in messages.list(thread.id, order="asc").data]
    out["message_deleted"] = messages.delete(created.id, thread_id=thread.id).to_dict()
    out["message_after_delete"] = error_of(lambda: messages.retrieve(created.id, thread_id=thread.id))

    paged = threads.create()
    out["paged_created_ids"] = [
        messages.create(paged.id, role="user", content=f"message {i}").id for i in range(7)
    ]
    out["auto_asc"] = [m.id for m in messages.list(paged.id, limit=3, order="asc")]
    out["auto_desc"] = [m.id for m in messages.list(paged.id, limit=3, order="desc")]
    out["pages_asc"] = page_walk(client, paged.id, "asc")
    out["pages_desc"] = page_walk(client, paged.id, "desc")

    out["bad_role"] = error_of(lambda: messages.create(paged.id, role="system", content="x"))
    out["thread_deleted"] = threads.delete(thread.id).to_dict()
    out["thread_after_delete"] = error_of(lambda: threads.retrieve(thread.id))
    threads.delete(paged.id)

    out["wrong_key"] = error_of(lambda: connect(origin, client_name, wrong_key, api_version).beta.threads.create())
    intruder = connect(origin, client_name, other_tenant_key, api_version)
    owned = threads.create(messages=[{"role": "user", "content": "acme only"}])
    owned_message = messages.list(owned.id).data[0]
    out["intrusions"] = intrusions(intruder, owned.id, owned_message.id)
    theirs = intruder.beta.threads.create(metadata={"owner": "globex"})
    out["foreign_thread"] = {
        "intruder_sees_own": intruder.beta.threads.retrieve(theirs.id).to_dict() == theirs.to_dict(),
        "owner_sees_it": error_of(lambda: threads.retrieve(theirs.id)),
        "owner_thread_untouched": [m.to_dict() for m in messages.list(owned.id).data] == [owned_message.to_dict()],
        "id": theirs.id,
    }
    out["owned"] = {"thread_id": owned.id, "message_id": owned_message.id}

    print(json.dumps(out))


if __name__ == "__main__":
    main(*sys.argv[1:7])
