import DSPy
import Foundation

// Benchmarks against a loopback server (see Scripts/bench).
//   dspy-bench serve [--port P] [--latency-ms N]     the shared server; a model named latN gets N ms
//   dspy-bench scenario NAME --base-url URL [--n N] [--items N] [--workers W] [--latency-ms N] [--rounds R] [--executor io]
//       NAME: predict_seq, cot_seq, batch, batch100k, async10k, http_floor, pool_floor, lm_seq, settings; prints JSON lines
//       --executor io: the sequential scenarios call from a task on an IOExecutor
//   dspy-bench batch [--items N] [--latency-ms N] [--workers 8,64,256] [--runs R]
//       self-contained batch run with an in-process server; medians over runs
//   dspy-bench storage [--n N]
//       what the call log and the disk cache add to an LM call (instant in-process backend)
//   dspy-bench cache-writer DIR | calllog-writer FILE ID | history-writer FILE ID [MAX [LINES]]
//       write until killed (or LINES written), printing each acknowledged write: crash tests

func arg(_ name: String, _ fallback: String) -> String {
    let a = CommandLine.arguments
    if let i = a.firstIndex(of: name), i + 1 < a.count { return a[i + 1] }
    return fallback
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? 0 : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
}

func seconds(_ d: Duration) -> Double { d.seconds }

let mode = CommandLine.arguments.dropFirst().first ?? "batch"
let latencyMs = Int(arg("--latency-ms", "50")) ?? 50

switch mode {
case "serve":
    let server = try await BenchServer.start(port: Int(arg("--port", "0")) ?? 0, latency: .milliseconds(latencyMs))
    FileHandle.standardOutput.write(Data("serving \(server.baseURL) latency=\(latencyMs)ms\n".utf8))
    while true {
        try await Task.sleep(for: .seconds(5))
        FileHandle.standardError.write(
            Data("requests=\(server.stats.total.load(ordering: .relaxed)) peak_concurrency=\(server.stats.peak.load(ordering: .relaxed))\n".utf8))
    }

case "batch":
    let items = Int(arg("--items", "1000")) ?? 1000
    let runs = Int(arg("--runs", "3")) ?? 3
    let workerCounts = arg("--workers", "8,64,256").split(separator: ",").compactMap { Int($0) }
    let server = try await BenchServer.start(latency: .milliseconds(latencyMs))
    let lm = try LM("openai/bench", apiBase: server.baseURL, apiKey: Scenarios.apiKey, cache: false)
    let qa = try Predict("question -> answer", lm: lm)
    let inputs: [Inputs] = (0..<items).map { ["question": .string("question \($0)")] }
    _ = try await qa.batch(Array(inputs.prefix(64)), numThreads: 64, disableProgressBar: true)  // warm the connection pool
    print("cores=\(ProcessInfo.processInfo.activeProcessorCount) items=\(items) latency=\(latencyMs)ms runs=\(runs)")
    print("workers  wall_s   ideal_s  ratio   peak_server_concurrency")
    for workers in workerCounts {
        var walls: [Double] = []
        var peak = 0
        for _ in 0..<runs {
            server.stats.reset()
            let clock = ContinuousClock()
            let t0 = clock.now
            let r = try await qa.batch(inputs, numThreads: workers, disableProgressBar: true)
            walls.append(seconds(clock.now - t0))
            precondition(r.failures.isEmpty, "bench items failed: \(r.failures.prefix(3))")
            peak = max(peak, server.stats.peak.load(ordering: .relaxed))
        }
        let wall = median(walls)
        let ideal = Double(items) * Double(latencyMs) / 1000 / Double(workers)
        print(String(format: "%7d  %7.3f  %7.3f  %5.3f   %d", workers, wall, ideal, wall / ideal, peak))
    }
    await server.stop()

case "scenario":
    let executor = arg("--executor", "default")
    guard ["default", "io"].contains(executor) else {
        FileHandle.standardError.write(Data("dspy-bench: --executor takes default or io, not '\(executor)'\n".utf8))
        exit(2)
    }
    let name = CommandLine.arguments.dropFirst(2).first ?? ""
    do {
        try await Scenarios.run(
            name, baseURL: arg("--base-url", "http://127.0.0.1:8000/v1"), n: Int(arg("--n", "")),
            items: Int(arg("--items", "1000")) ?? 1000, workers: Int(arg("--workers", "8")) ?? 8, latencyMs: latencyMs,
            rounds: Int(arg("--rounds", "1")) ?? 1, onIOExecutor: executor == "io")
    } catch {
        // Scripts/bench shows the last line of standard error as the reason a run has no numbers.
        FileHandle.standardError.write(Data("dspy-bench: scenario \(name): \(error)\n".utf8))
        exit(1)
    }

case "storage":
    try await StorageBench.run(n: Int(arg("--n", "2000")) ?? 2000)

case "cache-writer":
    try await StorageBench.writeUntilKilled(directory: CommandLine.arguments.dropFirst(2).first ?? NSTemporaryDirectory() + "dspy-cache-writer")

case "calllog-writer":
    let rest = Array(CommandLine.arguments.dropFirst(2))
    try await StorageBench.logUntilKilled(path: rest.first ?? NSTemporaryDirectory() + "dspy-calls.sqlite", writer: rest.dropFirst().first ?? "w")

case "history-writer":
    let rest = Array(CommandLine.arguments.dropFirst(2))
    StorageBench.historyUntilKilled(
        path: rest.first ?? NSTemporaryDirectory() + "dspy-history", writer: rest.dropFirst().first ?? "w",
        maxEntries: rest.dropFirst(2).first.flatMap { Int($0) } ?? 100_000,
        lines: rest.dropFirst(3).first.flatMap { Int($0) })

default:
    FileHandle.standardError.write(Data("usage: dspy-bench serve|scenario|batch|storage|cache-writer|calllog-writer|history-writer [options]\n".utf8))
    exit(2)
}
