import os
import dspy
lm = dspy.LM("openai/fixture", api_base=os.environ["DSPY_FIXTURE_API_BASE"], api_key="fixture-key")
dspy.configure(lm=lm)
import asyncio

predict = dspy.Predict("question -> answer")
stream_predict = dspy.streamify(
    predict,
    stream_listeners=[dspy.streaming.StreamListener(signature_field_name="answer")],
)


async def main():
    chunks = []
    final = None
    async for item in stream_predict(question="Why do we stream tokens?"):
        if isinstance(item, dspy.streaming.StreamResponse):
            chunks.append(item.chunk)
            field = item.signature_field_name
        elif isinstance(item, dspy.Prediction):
            final = item
    print(field)
    print("".join(chunks))
    print(final)


asyncio.run(main())
