# Producer/consumer with asyncio.Queue and a sentinel value.
import asyncio

async def producer(q, n):
    for i in range(n):
        await q.put(i)
        print("put", i)
    await q.put(None)

async def consumer(q, out):
    while True:
        item = await q.get()
        if item is None:
            break
        print("got", item)
        out.append(item * item)

async def main():
    q = asyncio.Queue(maxsize=2)
    out = []
    await asyncio.gather(producer(q, 4), consumer(q, out))
    print(out, q.empty())

asyncio.run(main())
