# asyncio.create_task schedules work that runs when the creator awaits.
import asyncio

async def job(n):
    print("job", n, "started")
    await asyncio.sleep(0)
    print("job", n, "finished")
    return n * n

async def main():
    t1 = asyncio.create_task(job(1))
    t2 = asyncio.create_task(job(2))
    print("tasks created")
    r1 = await t1
    print("got", r1)
    r2 = await t2
    print("got", r2, t1.done(), t2.done())
    print(t1.result())

asyncio.run(main())
