# async methods on classes, async context managers.
import asyncio

class Client:
    def __init__(self, name):
        self.name = name
        self.calls = 0
    async def request(self, path):
        self.calls += 1
        await asyncio.sleep(0)
        return f"{self.name}:{path}"
    async def __aenter__(self):
        print("open", self.name)
        return self
    async def __aexit__(self, et, ev, tb):
        print("close", self.name, et.__name__ if et else None)
        return False

async def main():
    async with Client("api") as c:
        r = await asyncio.gather(c.request("/a"), c.request("/b"))
        print(r, c.calls)
    try:
        async with Client("bad"):
            raise ValueError("inside")
    except ValueError as e:
        print("caught", e)

asyncio.run(main())
