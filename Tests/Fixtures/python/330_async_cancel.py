# Cancelling a task raises CancelledError inside it and in the awaiting code.
import asyncio

async def long_job():
    try:
        print("job started")
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("job saw cancellation")
        raise
    finally:
        print("job cleanup")

async def main():
    task = asyncio.create_task(long_job())
    await asyncio.sleep(0)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print("main saw cancellation", task.cancelled())

asyncio.run(main())
