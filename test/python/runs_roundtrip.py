"""Runs with openai-python's helpers against threadstore; prints one JSON object of what it saw.

Usage: runs_roundtrip.py BASE_URL
"""
import json
import sys

from openai import AssistantEventHandler, OpenAI

client = OpenAI(base_url=sys.argv[1], api_key="sk-test", max_retries=0)
out = {}

weather = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
assistant = client.beta.assistants.create(model="gpt-4o", tools=[weather])


def thread(content):
    return client.beta.threads.create(messages=[{"role": "user", "content": content}])


def answer(thread_id, run_id):
    page = client.beta.threads.messages.list(thread_id=thread_id, run_id=run_id)
    return page.data[0].content[0].text.value


# create_and_poll to completed
t = thread("Hi")
run = client.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=assistant.id)
out["create_and_poll"] = {"status": run.status, "answer": answer(t.id, run.id), "usage": run.usage.total_tokens}

# parallel tool calls: create_and_poll to requires_action, submit_tool_outputs_and_poll to completed
t = thread("Weather in Paris and Rome?")
waiting = client.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=assistant.id)
calls = waiting.required_action.submit_tool_outputs.tool_calls
run = client.beta.threads.runs.submit_tool_outputs_and_poll(
    thread_id=t.id,
    run_id=waiting.id,
    tool_outputs=[{"tool_call_id": c.id, "output": o} for c, o in zip(calls, ["20C", "25C"])],
)
out["tool_calls"] = {
    "waiting": waiting.status,
    "arguments": [c.function.arguments for c in calls],
    "status": run.status,
    "answer": answer(t.id, run.id),
}

# create_and_run_poll
run = client.beta.threads.create_and_run_poll(
    assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "Hi"}]}
)
out["create_and_run_poll"] = {"status": run.status}


class Handler(AssistantEventHandler):
    def __init__(self):
        super().__init__()
        self.text = ""
        self.events = []
        self.arguments = ""

    def on_event(self, event):
        self.events.append(event.event)

    def on_text_delta(self, delta, snapshot):
        self.text += delta.value or ""

    def on_tool_call_delta(self, delta, snapshot):
        if delta.type == "function" and delta.function.arguments:
            self.arguments += delta.function.arguments


# stream with an event handler
t = thread("Hi")
handler = Handler()
with client.beta.threads.runs.stream(thread_id=t.id, assistant_id=assistant.id, event_handler=handler) as stream:
    stream.until_done()
    final = stream.get_final_run()
    messages = stream.get_final_messages()
out["stream"] = {
    "status": final.status,
    "text": handler.text,
    "final_message": messages[0].content[0].text.value,
    "last_event": handler.events[-1],
}

# stream to requires_action, then submit_tool_outputs_stream
t = thread("What is the weather?")
handler = Handler()
with client.beta.threads.runs.stream(thread_id=t.id, assistant_id=assistant.id, event_handler=handler) as stream:
    stream.until_done()
    waiting = stream.get_final_run()
call = waiting.required_action.submit_tool_outputs.tool_calls[0]
second = Handler()
with client.beta.threads.runs.submit_tool_outputs_stream(
    thread_id=t.id,
    run_id=waiting.id,
    tool_outputs=[{"tool_call_id": call.id, "output": "20C"}],
    event_handler=second,
) as stream:
    stream.until_done()
    final = stream.get_final_run()
out["tool_stream"] = {
    "waiting": waiting.status,
    "arguments": handler.arguments,
    "status": final.status,
    "text": second.text,
}

# cancel
t = thread("What is the weather?")
waiting = client.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=assistant.id)
cancelling = client.beta.threads.runs.cancel(thread_id=t.id, run_id=waiting.id)
run = client.beta.threads.runs.poll(thread_id=t.id, run_id=waiting.id)
out["cancel"] = {"cancelling": cancelling.status, "status": run.status}

print(json.dumps(out))
