// Server mode: one loopback server whose path picks a misbehaviour (`/MODE/v1/chat/completions`),
// and shell scripts whose LMs point at it with the API key `sk-fuzz`.

import DSPy
import TestSupport

enum HostileServer {
    /// The secret every server-mode LM carries; it must never reach stdout or stderr.
    static let secret = "sk-fuzz"

    /// The modes: every ``Hostile/catalog`` entry, plus a well-behaved deterministic LM (`ok`),
    /// one that repeats the API key back (`echo-key`, `echo-key-answer`), slow and refusing ones,
    /// broken streams, and `random` (a catalog entry per request).
    static var modes: [String] {
        Hostile.catalog.map(\.name) + [
            "ok", "ok", "slow", "echo-key", "echo-key-answer", "status-500", "drop", "cut-stream",
            "garbage-stream", "retry-after-negative", "random",
        ]
    }

    static func handler(_ request: RecordedRequest) async -> Reply {
        let parts = request.path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
        let mode = parts.first.map(String.init) ?? ""
        let rest = parts.count > 1 ? "/" + parts[1] : "/"
        let authorization = request.header("Authorization") ?? ""
        let fixture = FixtureResponder.reply(method: request.method, path: rest, body: request.body)
        if let entry = Hostile.catalog.first(where: { $0.name == mode }) { return entry.reply }
        switch mode {
        case "ok": return fixture
        case "slow": return .delay(.milliseconds(700), then: fixture)
        case "echo-key":
            return .json(
                status: 401,
                body: #"{"error": {"message": "Incorrect API key provided: \#(authorization) (header Authorization: \#(authorization))"}}"#)
        case "echo-key-answer":
            let content = "[[ ## answer ## ]]\\nyour key is \(authorization)\\n\\n[[ ## reasoning ## ]]\\n\(authorization)\\n\\n[[ ## completed ## ]]"
            return .json(
                status: 200,
                body: #"{"choices": [{"index": 0, "message": {"role": "assistant", "content": "\#(content)"}, "finish_reason": "stop"}]}"#)
        case "status-500": return .json(status: 500, body: #"{"error": {"message": "internal error"}}"#)
        case "drop": return .dropConnection
        case "cut-stream":
            return .stream(steps: StreamStep.events([#"{"choices": [{"index": 0, "delta": {"content": "[[ ## answer ## ]]\npart"}}]}"#]) + [.cut])
        case "garbage-stream":
            return .stream(steps: [
                .send("data: {not json\n\n"), .send("event: x\ndata: [DONE\n\n"), .sendBytes([0xff, 0xfe, 0x0a, 0x0a]),
                .send("data: {\"choices\": 5}\n\n"), .send("data: [DONE]\n\n"),
            ])
        case "retry-after-negative": return Hostile.retryAfter("-5")
        case "random":
            let catalog = Hostile.catalog
            return catalog[request.index % catalog.count].reply
        default:
            return .json(status: 404, body: #"{"error": {"message": "unknown fuzz mode"}}"#)
        }
    }
}

/// Scripts for server mode: LMs on the hostile server, then predicts, streams, batches, jobs and
/// inspection. Each statement carries a bound on how long it may take (from the LMs' timeout
/// and retries), so a process that runs past the sum of its statements' bounds hangs.
enum ServerScripts {
    /// One LM call's bound: two attempts (num_retries=1) of at most 2 s each, a backoff between
    /// them, and slack for a loaded machine.
    static let callBound = 10.0

    static func batch(seed: UInt64, index: Int, count: Int, baseURL: String) -> [FuzzInput] {
        var random = FuzzRandom(seed: FuzzRandom.derive(seed, UInt64(index)))
        let modes = HostileServer.modes
        var unique = 0
        func question() -> String {
            unique += 1
            return "'b\(index)q\(unique)'"
        }
        var inputs: [FuzzInput] = [FuzzInput(text: "import dspy", cost: 0), FuzzInput(text: "import asyncio", cost: 0)]
        let lmCount = 1 + random.below(3)
        for k in 1...lmCount {
            let mode = random.pick(modes)
            let options =
                random.chance(80)
                ? "timeout=2, num_retries=1"
                : random.pick([
                    "timeout=0.5, num_retries=0", "timeout=2, num_retries=1, cache=False",
                    "timeout=1, num_retries=1, max_tokens=5",
                ])
            inputs.append(
                FuzzInput(
                    text: "lm\(k) = dspy.LM('openai/x', api_base='\(baseURL)/\(mode)/v1', api_key='\(HostileServer.secret)', \(options))", cost: 0))
        }
        inputs.append(FuzzInput(text: "dspy.configure(lm=lm1)", cost: 0))
        inputs.append(FuzzInput(text: "qa = dspy.Predict('question -> answer')", cost: 0))
        inputs.append(FuzzInput(text: "cot = dspy.ChainOfThought('question -> answer')", cost: 0))
        var made = 0
        while made < count {
            let lm = "lm\(1 + random.below(lmCount))"
            let module = random.pick(["qa", "cot"])
            let n = random.pick([1, 2, 4])
            let threads = random.pick([1, 2, 4, 16])
            let statement: FuzzInput
            switch random.below(22) {
            case 0, 1, 2: statement = FuzzInput(text: "\(module)(question=\(question()))", cost: callBound)
            case 3: statement = FuzzInput(text: "\(module)(question=\(question())).answer", cost: callBound)
            case 4, 5: statement = FuzzInput(text: "%stream \(module)(question=\(question()))", cost: callBound)
            case 6:
                let items = (0..<n).map { _ in "{'question': \(question())}" }.joined(separator: ", ")
                statement = FuzzInput(
                    text: "\(module).batch([\(items)], num_threads=\(threads), max_errors=\(random.pick(["None", "1", "100"])))",
                    cost: callBound * Double((n + threads - 1) / threads) + 5)
            case 7:
                let items = (0..<n).map { _ in "(\(module), {'question': \(question())})" }.joined(separator: ", ")
                statement = FuzzInput(
                    text: "dspy.Parallel(num_threads=\(threads), max_errors=100)([\(items)])",
                    cost: callBound * Double((n + threads - 1) / threads) + 5)
            case 8: statement = FuzzInput(text: "\(lm)(\(question()))", cost: callBound)
            case 9: statement = FuzzInput(text: "await \(module).acall(question=\(question()))", cost: callBound)
            case 10: statement = FuzzInput(text: "j = \(module).acall(question=\(question()))\n%wait", cost: callBound)
            case 11: statement = FuzzInput(text: "with dspy.context(lm=\(lm)):\n    \(module)(question=\(question()))", cost: callBound)
            case 12:
                statement = FuzzInput(
                    text: "try:\n    \(module)(question=\(question()))\nexcept Exception as e:\n    print(type(e).__name__, e, repr(e), e.args)",
                    cost: callBound)
            case 13:
                let calls = (0..<n).map { _ in "\(module).acall(question=\(question()))" }.joined(separator: ", ")
                statement = FuzzInput(
                    text: "async def w():\n    return await asyncio.gather(\(calls), return_exceptions=True)\nasyncio.run(w())",
                    cost: callBound * Double(n))
            case 14:
                statement = FuzzInput(
                    text: random.pick(["%inspect 1", "inspect_history(n=2)", "%history 5", "%settings", "%usage", "%jobs", "%scopes"]), cost: 1)
            case 15:
                statement = FuzzInput(
                    text: random.pick([
                        lm, "print(\(lm))", "repr(\(lm))", "\(lm).kwargs", "\(lm).api_key", "str(\(lm).__dict__)", "\(lm)?", "dspy.settings.lm",
                        "\(lm).history[-1:]",
                    ]), cost: 1)
            case 16: statement = FuzzInput(text: "%push lm=\(lm)", cost: 1)
            case 17: statement = FuzzInput(text: "%pop", cost: 1)
            case 18: statement = FuzzInput(text: "dspy.configure(lm=\(lm))", cost: 1)
            case 19: statement = FuzzInput(text: "%prompt \(module)(question=\(question()))", cost: 1)
            case 20: statement = FuzzInput(text: "r = \(module)(question=\(question()))\nprint(r, r.toDict() if r else None)", cost: callBound)
            default: statement = FuzzInput(text: "%cancel 1", cost: 1)
            }
            inputs.append(statement)
            made += 1
        }
        return inputs
    }
}
