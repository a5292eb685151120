"""Drives the assistants routes of threadstore through the official Python SDK and prints one JSON document.

Usage: python assistants_roundtrip.py ORIGIN CLIENT KEY OTHER_TENANT_KEY API_VERSION
  ORIGIN: the server, e.g. http://127.0.0.1:PORT; CLIENT: OpenAI (base URL ORIGIN/v1) or AzureOpenAI
  (azure_endpoint ORIGIN, api_version API_VERSION).

It checks nothing itself: test/api/assistants/sdk-python.test.ts asserts the output.
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
        return {"class": type(error).__name__, "status": error.status_code, "body": error.body}
    return {"class": None}


def connect(origin, client, api_key, api_version):
    if client == "AzureOpenAI":
        return AzureOpenAI(azure_endpoint=origin, api_key=api_key, api_version=api_version, max_retries=0)
    return OpenAI(base_url=f"{origin}/v1", api_key=api_key, max_retries=0)


def main():
    origin, client_name, key, other_key, api_version = sys.argv[1:6]
    assistants = connect(origin, client_name, key, api_version).beta.assistants
    others = connect(origin, client_name, other_key, api_version).beta.assistants
    out = {"sdk_version": openai.__version__}

    created = assistants.create(
        model="gpt-4o",
        name="Weather bot",
        instructions="Call get_weather, then answer in one line.",
        tools=[
            {"type": "file_search"},
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                    "strict": False,
                },
            },
        ],
        metadata={"team": "weather"},
        temperature=0.5,
        response_format={"type": "json_object"},
        reasoning_effort="low",
    )
    out["created"] = created.to_dict()
    out["retrieved"] = assistants.retrieve(created.id).to_dict()
    out["updated"] = assistants.update(created.id, name=None, top_p=0.5, tools=[]).to_dict()
    out["intrusions"] = {
        "retrieve": error_of(lambda: others.retrieve(created.id)),
        "update": error_of(lambda: others.update(created.id, name="x")),
        "delete": error_of(lambda: others.delete(created.id)),
    }
    out["other_list"] = [a.id for a in others.list()]
    out["deleted"] = assistants.delete(created.id).to_dict()
    out["after_delete"] = error_of(lambda: assistants.retrieve(created.id))

    out["paged_created_ids"] = [assistants.create(model="m", name=f"a{i}").id for i in range(5)]
    out["auto_desc"] = [a.id for a in assistants.list(limit=2)]
    out["auto_asc"] = [a.id for a in assistants.list(limit=2, order="asc")]
    first = assistants.list(limit=2)
    out["first_page"] = {"ids": [a.id for a in first.data], "has_more": first.has_more}
    out["second_page"] = [a.id for a in first.get_next_page().data]
    print(json.dumps(out))


main()
