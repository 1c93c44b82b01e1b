import DSPy
import Foundation
import NIOCore

/// The scenarios `Scripts/bench` runs for both implementations, printing one JSON object per
/// measurement: {"impl", "scenario", "metric", "value", "unit"}.
enum Scenarios {
    /// The key sent to the loopback server: a made-up one, like a real key never part of a reply.
    /// (The server's replies say "bench" everywhere, and every LM scrubs its key from replies.)
    static let apiKey = "sk-loopback-0123456789"

    static func emit(_ scenario: String, _ metric: String, _ value: Double, _ unit: String) {
        let line = #"{"impl": "swift", "scenario": "\#(scenario)", "metric": "\#(metric)", "value": \#(value), "unit": "\#(unit)"}"# + "\n"
        FileHandle.standardOutput.write(Data(line.utf8))
    }

    /// User plus system CPU time of this process, in seconds.
    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
    }

    static func peakRSSMegabytes() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_maxrss) / 1024
    }

    /// Resident memory now (not the peak), from /proc/self/statm; 0 where that file is missing.
    static func residentMegabytes() -> Double {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }

    /// - Parameter onIOExecutor: run the sequential scenarios from a task on an ``IOExecutor``
    ///   (no thread hop per call) instead of Swift's default executor.
    static func run(
        _ name: String, baseURL: String, n: Int?, items: Int, workers: Int, latencyMs: Int, rounds: Int = 1, onIOExecutor: Bool = false
    ) async throws {
        switch name {
        case "predict_seq", "cot_seq", "predict_seq_offline":
            // The offline variant answers in-process: what the framework costs without HTTP.
            let lm =
                name == "predict_seq_offline"
                ? LM.dummy(answers: [["answer": "a"]])
                : try LM("openai/lat0", apiBase: baseURL, apiKey: Scenarios.apiKey, cache: false)
            let module: any Module = name != "cot_seq" ? try Predict("question -> answer", lm: lm) : try ChainOfThought("question -> answer", lm: lm)
            let count = n ?? 300
            let (wall, cpu) = try await sequentialCalls(count, onIOExecutor: onIOExecutor) { question in
                _ = try await module.call(["question": .string(question)])
            }
            emit(name, "wall_per_call_us", wall / Double(count) * 1e6, "us")
            emit(name, "cpu_per_call_us", cpu / Double(count) * 1e6, "us")
            emit(name, "calls_per_s", Double(count) / wall, "calls/s")
        case "batch", "batch100k":
            // batch100k: the same, sized by the caller (100 000 items at 20 ms, 1 024 workers), with peak memory.
            let lm = try LM("openai/lat\(latencyMs)", apiBase: baseURL, apiKey: Scenarios.apiKey, cache: false)
            let qa = try Predict("question -> answer", lm: lm)
            let inputs: [Inputs] = (0..<items).map { ["question": .string("q\($0)")] }
            // With rounds > 1 the batch runs again in this process, on the connections the first
            // round opened: the difference is what opening them cost.
            for round in 1...max(1, rounds) {
                let suffix = rounds > 1 ? "_round\(round)" : ""
                let clock = ContinuousClock()
                let t0 = clock.now
                let results = try await qa.batch(inputs, numThreads: workers, disableProgressBar: true)
                emit(name, "wall_s" + suffix, (clock.now - t0).seconds, "s")
                emit(name, "failures" + suffix, Double(results.failures.count), "items")
            }
            if name == "batch100k" { emit(name, "peak_rss_mb", peakRSSMegabytes(), "MB") }
        case "evaluate":
            // dspy.Evaluate over `items` examples at 50 ms per request, `workers` at once.
            let lm = try LM("openai/lat50", apiBase: baseURL, apiKey: Scenarios.apiKey, cache: false)
            let qa = try Predict("question -> answer", lm: lm)
            let devset = (0..<items).map { Example(["question": .string("q\($0)"), "answer": "a"]).withInputs("question") }
            let evaluate = Evaluate(devset: devset, metric: .answerExactMatch, numThreads: workers, maxErrors: items + 1)
            let clock = ContinuousClock()
            let t0 = clock.now
            let result = try await evaluate(qa)
            emit("evaluate", "wall_s", (clock.now - t0).seconds, "s")
            emit("evaluate", "failures", Double(result.failures.count), "items")
        case "async10k", "async10k_offline":
            // The offline variant answers from the in-process dummy backend after the same
            // 200 ms, so the difference between the two is what the HTTP client holds per call.
            let lm =
                name == "async10k"
                ? try LM("openai/lat200", apiBase: baseURL, apiKey: Scenarios.apiKey, cache: false)
                : LM.dummy(answers: [["answer": "a"]], latency: .milliseconds(200))
            let qa = try Predict("question -> answer", lm: lm)
            let count = n ?? 10_000
            // With rounds > 1 the same calls run again in this process; the peak and the resident
            // memory after each round show whether memory grows from one round to the next.
            for round in 1...max(1, rounds) {
                let clock = ContinuousClock()
                let t0 = clock.now
                let failures = await withTaskGroup(of: Bool.self) { group in
                    for i in 0..<count {
                        group.addTask { (try? await qa.call(["question": .string("q\(i)")])) == nil }
                    }
                    return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                let suffix = rounds > 1 ? "_round\(round)" : ""
                emit(name, "wall_s" + suffix, (clock.now - t0).seconds, "s")
                emit(name, "peak_rss_mb" + suffix, peakRSSMegabytes(), "MB")
                if rounds > 1 { emit(name, "rss_after_mb" + suffix, residentMegabytes(), "MB") }
                emit(name, "failures" + suffix, Double(failures), "calls")
            }
        case "http_floor":
            // The loopback exchange alone: the chat request predict_seq sends, written and read
            // on a blocking socket with no framework, no event loop and no parsing beyond
            // Content-Length. What any client on this machine pays per call.
            let count = n ?? 3000
            let cpu = try HTTPFloor.cpuPerExchange(baseURL: baseURL, count: count)
            emit(name, "cpu_per_call_us", cpu * 1e6, "us")
        case "lm_seq":
            // predict_seq's messages straight to LM.call, from a task on an IOExecutor: the LM's
            // own path (request, retries, reply parsing, redaction, history) without the module
            // and adapter.
            let count = n ?? 3000
            let lm = try LM("openai/lat0", apiBase: baseURL, apiKey: Scenarios.apiKey, cache: false)
            let messages = ChatAdapter().format(signature: try Signature("question -> answer"), demos: [], inputs: ["question": "q0"])
            let (_, cpu) = try await sequentialCalls(count, onIOExecutor: true) { _ in
                _ = try await lm.call(messages: messages, parameters: [:])
            }
            emit(name, "cpu_per_call_us", cpu / Double(count) * 1e6, "us")
        case "pool_floor":
            // The same exchange through the keep-alive pool the LM uses (SwiftNIO, HTTP/1.1
            // codec), from a task on an IOExecutor: what the HTTP client adds to
            // http_floor, without the LM's request building and reply parsing.
            let count = n ?? 3000
            guard let target = HTTP1Pool.Target.cached(url: baseURL + "/chat/completions") else {
                throw ScenarioError(description: "pool_floor needs an http:// --base-url")
            }
            let body = Array(try HTTPFloor.chatBody().utf8)
            // The chat call's headers, as HTTPTransport.postJSON sends them.
            let headers = HTTPTransport.requestHeaders(
                [("Authorization", "Bearer \(Scenarios.apiKey)")], contentType: "application/json", accept: "application/json")
            let (_, cpu) = try await sequentialCalls(count, onIOExecutor: true) { _ in
                let reply = try await HTTP1Pool.shared.send(target, headers: headers, body: body, timeout: .seconds(30), maxBytes: 1 << 20)
                guard reply.status == 200 else { throw ScenarioError(description: "the server answered \(reply.status)") }
            }
            emit(name, "cpu_per_call_us", cpu / Double(count) * 1e6, "us")
        case "settings":
            let lm = try LM("dummy")
            try configure(.lm(lm))
            let reads = 1_000_000
            var sink = 0
            let clock = ContinuousClock()
            var t0 = clock.now
            for _ in 0..<reads { if settings.lm != nil { sink &+= 1 } }
            emit("settings", "settings_read_ns", (clock.now - t0).seconds / Double(reads) * 1e9, "ns")
            let scopes = 100_000
            t0 = clock.now
            for _ in 0..<scopes { try context(.lm(lm)) { sink &+= 1 } }
            emit("settings", "context_enter_exit_ns", (clock.now - t0).seconds / Double(scopes) * 1e9, "ns")
            if sink == 42 { print("") }  // keeps the loops from being optimised away
        default:
            throw ScenarioError(
                description:
                    "unknown scenario '\(name)' (predict_seq, predict_seq_offline, cot_seq, batch, batch100k, evaluate, async10k, async10k_offline, http_floor, pool_floor, lm_seq, settings)"
            )
        }
    }
}

extension Scenarios {
    /// Wall and CPU seconds of `count` calls made one after another, after 20 warm-up calls;
    /// `call` gets the question to ask ("warm N", then "qN"). With `onIOExecutor` the calls are
    /// made from a task on an ``IOExecutor`` instead of Swift's default executor.
    static func sequentialCalls(
        _ count: Int, onIOExecutor: Bool, _ call: @escaping @Sendable (String) async throws -> Void
    ) async throws -> (wall: Double, cpu: Double) {
        let measure = { @Sendable () async throws -> (wall: Double, cpu: Double) in
            for i in 0..<20 { try await call("warm \(i)") }
            let clock = ContinuousClock()
            let cpu0 = cpuSeconds()
            let t0 = clock.now
            for i in 0..<count { try await call("q\(i)") }
            return ((clock.now - t0).seconds, cpuSeconds() - cpu0)
        }
        return onIOExecutor ? try await withTaskExecutorPreference(IOExecutor.next(), operation: measure) : try await measure()
    }
}

struct ScenarioError: Error, CustomStringConvertible {
    let description: String
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// One keep-alive connection with blocking reads and writes: the floor under any HTTP client.
enum HTTPFloor {
    /// The JSON body of predict_seq's chat request, as the OpenAI-compatible backend writes it.
    static func chatBody() throws -> String {
        let prompt = ChatAdapter().format(signature: try Signature("question -> answer"), demos: [], inputs: ["question": "q0"])
        let backend = OpenAICompatibleBackend(apiBase: "http://127.0.0.1/v1", apiKey: Scenarios.apiKey)
        return JSON.compact(backend.body(LMRequest(model: "lat0", messages: prompt)))
    }

    static func cpuPerExchange(baseURL: String, count: Int) throws -> Double {
        guard let url = URL(string: baseURL), let host = url.host, let port = url.port.flatMap({ UInt16(exactly: $0) }), port > 0 else {
            throw ScenarioError(description: "http_floor needs --base-url http://HOST:PORT/v1 with a port from 1 to 65535")
        }
        let body = try chatBody()
        let head =
            "POST \(url.path)/chat/completions HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: application/json\r\n"
            + "Authorization: Bearer \(Scenarios.apiKey)\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        let request = Array((head + body).utf8)

        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ScenarioError(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(port.bigEndian)
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
            throw ScenarioError(description: "http_floor needs an IPv4 address, not \(host)")
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ScenarioError(description: "connect: errno \(errno)") }

        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        func exchange() throws {
            let written = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == request.count else { throw ScenarioError(description: "write: errno \(errno)") }
            var received = 0
            var end = Int.max  // known once the head has arrived
            while received < end {
                let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress.map { $0 + received }, $0.count - received) }
                guard got > 0 else { throw ScenarioError(description: "read: the server closed or errno \(errno)") }
                received += got
                if end == Int.max, let headEnd = buffer[..<received].firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
                    let headText = String(decoding: buffer[..<headEnd], as: UTF8.self).lowercased()
                    guard let field = headText.range(of: "content-length:") else { throw ScenarioError(description: "no Content-Length") }
                    let digits = headText[field.upperBound...].prefix { $0 == " " || $0.isNumber }.filter(\.isNumber)
                    end = headEnd + (Int(digits) ?? 0)
                }
            }
        }
        for _ in 0..<20 { try exchange() }
        let cpu0 = Scenarios.cpuSeconds()
        for _ in 0..<count { try exchange() }
        return (Scenarios.cpuSeconds() - cpu0) / Double(count)
    }
}
