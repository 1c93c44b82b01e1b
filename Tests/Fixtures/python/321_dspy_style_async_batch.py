# Batch processing with asyncio.gather and a Semaphore, like parallel LM calls.
import asyncio

async def fake_lm(prompt, sem, log):
    async with sem:
        log.append(f"start {prompt}")
        await asyncio.sleep(0)
        log.append(f"end {prompt}")
        return prompt.upper()[::-1]

async def main():
    sem = asyncio.Semaphore(2)
    log = []
    prompts = ["alpha", "beta", "gamma", "delta"]
    outputs = await asyncio.gather(*(fake_lm(p, sem, log) for p in prompts))
    print(outputs)
    print(log)
    print(dict(zip(prompts, outputs)))

asyncio.run(main())
