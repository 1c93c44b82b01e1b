# Streaming tokens with an async generator and accumulating them.
import asyncio

async def stream_tokens(text):
    for token in text.split():
        await asyncio.sleep(0)
        yield token + " "

async def main():
    pieces = []
    async for tok in stream_tokens("the quick brown fox"):
        pieces.append(tok)
        print(f"chunk {len(pieces)}: {tok!r}")
    print("full:", "".join(pieces).strip())

asyncio.run(main())
