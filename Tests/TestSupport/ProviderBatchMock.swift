import DSPy
import Foundation
import OrderedCollections

/// A loopback mock of OpenAI's Batch API (`/v1/files`, `/v1/batches`) and Anthropic's Message
/// Batches (`/v1/messages/batches`) at accelerated time: a batch moves one state further on each
/// status poll (OpenAI `validating` → `in_progress` → `finalizing` → `completed`; Anthropic
/// `in_progress` → `ended`) unless the mock is holding, and its requests are answered by
/// `answer` when it ends. It records what was created, cancelled and answered, so tests can
/// check that nothing was submitted twice.
public final class ProviderBatchMock: Sendable {
    /// What the mock does with one request of a batch.
    public enum Outcome: Sendable {
        /// A reply with this text (one choice per completion asked for).
        case text(String)
        /// The request fails inside the batch with this HTTP status and message.
        case error(status: Int, message: String)
        /// The request is not run before the batch's window closes: the batch ends `expired`.
        case expire
    }

    public typealias Answer = @Sendable (_ customID: String, _ body: Value) -> Outcome

    /// One batch as the mock holds it.
    public struct Batch: Sendable {
        public let id: String
        public let anthropic: Bool
        /// Each request's custom id and its line as sent (bodies are parsed when the batch
        /// runs, so a large batch is held as text).
        let lines: [(customID: String, line: String)]
        /// How many requests the batch holds.
        public var requestCount: Int { lines.count }
        /// Each request's custom id and body, in order.
        public var requests: [(customID: String, body: Value)] { lines.map { ($0.customID, Self.body(of: $0.line, anthropic: anthropic)) } }

        static func body(of line: String, anthropic: Bool) -> Value {
            let v = (try? JSON.parse(line)) ?? .null
            return anthropic ? v["params"] : v["body"]
        }
        public var status: String
        public var polls = 0
        public var outputFile: String?
        public var errorFile: String?
        /// Anthropic's results, one JSON line per request.
        public var results: [String] = []
        var counts: (done: Int, failed: Int) = (0, 0)
    }

    private struct State {
        var files: [String: [UInt8]] = [:]
        var batches: OrderedDictionary<String, Batch> = [:]
        var answered: [String: Int] = [:]
        var cancelled: [String] = []
        /// Batches from this creation index on stay in progress.
        var holdingFrom = Int.max
        var next = 0
        var failValidation = false
        /// Status polls still to answer with 429, and the Retry-After they send.
        var throttled = 0
        var retryAfter = "0"
    }

    public let server: LoopbackServer
    private let state: Locked<State>
    /// Polls a batch stays `in_progress` before it ends.
    public let pollsInProgress: Int

    /// The `/v1` base URL to give an LM (`apiBase`).
    public var apiBase: String { server.baseURL + "/v1" }

    private init(server: LoopbackServer, state: Locked<State>, pollsInProgress: Int) {
        self.server = server
        self.state = state
        self.pollsInProgress = pollsInProgress
    }

    /// Starts the mock on a free port of 127.0.0.1. `answer` decides each request's outcome.
    public static func start(pollsInProgress: Int = 1, answer: @escaping Answer) async throws -> ProviderBatchMock {
        let state = Locked(State())
        let box = Locked<ProviderBatchMock?>(nil)
        let server = try await LoopbackServer.start { request in
            guard let mock = box.withLock({ $0 }) else { return .json(status: 503, body: #"{"error":{"message":"starting"}}"#) }
            return mock.handle(request, answer: answer)
        }
        let mock = ProviderBatchMock(server: server, state: state, pollsInProgress: pollsInProgress)
        box.withLock { $0 = mock }
        return mock
    }

    /// While holding, batches stay in progress (a run can be killed or cancelled mid-batch).
    public func hold(_ on: Bool) { hold(fromBatch: on ? 0 : Int.max) }
    /// Holds the batches created from the `index`-th on (0-based); earlier ones run.
    public func hold(fromBatch index: Int) { state.withLock { $0.holdingFrom = index } }
    /// Makes the next batches fail validation as a whole (OpenAI's `failed` status).
    public func failValidation(_ on: Bool) { state.withLock { $0.failValidation = on } }

    /// Answers the next `count` status polls with 429 and `Retry-After: seconds`.
    public func throttlePolls(_ count: Int, retryAfter seconds: Int) {
        state.withLock { s in
            s.throttled = count
            s.retryAfter = String(seconds)
        }
    }

    /// Every batch created, in order.
    public var batches: [Batch] { state.withLock { Array($0.batches.values) } }
    /// How many times each custom id was answered, across every batch.
    public var answered: [String: Int] { state.withLock { $0.answered } }
    /// The batches a client asked to cancel.
    public var cancelled: [String] { state.withLock { $0.cancelled } }

    /// Text in DSPy's ChatAdapter format that fills `fields`, in order.
    public static func fieldsReply(_ fields: KeyValuePairs<String, String>) -> String {
        fields.map { "[[ ## \($0.key) ## ]]\n\($0.value)" }.joined(separator: "\n\n") + "\n\n[[ ## completed ## ]]"
    }

    /// The value of input `name` in the last user message of a chat body (Anthropic's or
    /// OpenAI's), as DSPy's ChatAdapter writes it: `[[ ## name ## ]]\nvalue\n\n...`.
    public static func field(_ name: String, in body: Value) -> String? {
        let message = body["messages"].arrayValue?.last { $0["role"].stringValue == "user" }?["content"].stringValue ?? ""
        guard let start = message.range(of: "[[ ## \(name) ## ]]\n") else { return nil }
        let rest = message[start.upperBound...]
        return String(rest[..<(rest.range(of: "\n\n")?.lowerBound ?? rest.endIndex)])
    }

    /// Answers a two-step program (`question -> topic`, then `topic -> answer`): topic `t-Q` for
    /// question `Q`, answer `a-T` for topic `T`.
    public static let twoStepAnswer: Answer = { _, body in
        if let q = field("question", in: body) { return .text(fieldsReply(["topic": "t-\(q)"])) }
        if let t = field("topic", in: body) { return .text(fieldsReply(["answer": "a-\(t)"])) }
        return .error(status: 400, message: "unexpected prompt")
    }

    public func shutdown() async throws { try await server.shutdown() }

    // MARK: Serving

    private func handle(_ request: RecordedRequest, answer: Answer) -> Reply {
        let path = request.path
        let parts = path.split(separator: "/").map(String.init)
        switch (request.method, parts) {
        case ("POST", ["v1", "files"]): return upload(request)
        case ("GET", let p) where p.count == 4 && p[1] == "files" && p[3] == "content":
            guard let bytes = state.withLock({ $0.files[p[2]] }) else { return notFound("file \(p[2])") }
            return .raw(contentType: "application/jsonl", body: String(decoding: bytes, as: UTF8.self))
        case ("POST", ["v1", "batches"]): return createOpenAI(request)
        case ("GET", let p) where p.count == 3 && p[1] == "batches": return poll(p[2], answer: answer)
        case ("POST", let p) where p.count == 4 && p[1] == "batches" && p[3] == "cancel": return cancel(p[2])
        case ("POST", ["v1", "messages", "batches"]): return createAnthropic(request)
        case ("GET", let p) where p.count == 4 && p[2] == "batches": return poll(p[3], answer: answer)
        case ("POST", let p) where p.count == 5 && p[2] == "batches" && p[4] == "cancel": return cancel(p[3])
        case ("GET", let p) where p.count == 5 && p[2] == "batches" && p[4] == "results":
            guard let batch = state.withLock({ $0.batches[p[3]] }), batch.status == "ended" else { return notFound("results of \(p[3])") }
            return .raw(contentType: "application/jsonl", body: batch.results.joined(separator: "\n") + "\n")
        default: return notFound(path)
        }
    }

    private func notFound(_ what: String) -> Reply {
        .json(status: 404, body: JSON.compact(.object(["error": .object(["message": .string("no such \(what)")])])))
    }

    private func nextID(_ prefix: String) -> String {
        state.withLock { s in
            s.next += 1
            return "\(prefix)\(s.next)"
        }
    }

    /// A multipart upload: the part named `file` is kept as the file's bytes.
    private func upload(_ request: RecordedRequest) -> Reply {
        let text = request.bodyString
        guard let marker = text.range(of: "name=\"file\""), let start = text.range(of: "\r\n\r\n", range: marker.upperBound..<text.endIndex),
            let end = text.range(of: "\r\n--", options: .backwards)
        else { return .json(status: 400, body: #"{"error":{"message":"no file part"}}"#) }
        let id = nextID("file-")
        state.withLock { $0.files[id] = Array(text[start.upperBound..<end.lowerBound].utf8) }
        return .json(.object(["id": .string(id), "object": "file", "purpose": "batch"]))
    }

    private func createOpenAI(_ request: RecordedRequest) -> Reply {
        guard let body = request.json, let fileID = body["input_file_id"].stringValue,
            let bytes = state.withLock({ $0.files[fileID] })
        else { return .json(status: 400, body: #"{"error":{"message":"unknown input_file_id"}}"#) }
        var lines: [(String, String)] = []
        for bytesOfLine in bytes.split(separator: UInt8(ascii: "\n")) {
            let line = String(decoding: bytesOfLine, as: UTF8.self)
            guard let id = Self.customID(line) else { return .json(status: 400, body: #"{"error":{"message":"a line is not a request"}}"#) }
            lines.append((id, line))
        }
        let batch = Batch(id: nextID("batch_"), anthropic: false, lines: lines, status: "validating")
        state.withLock { $0.batches[batch.id] = batch }
        return .json(openAIObject(batch))
    }

    private func createAnthropic(_ request: RecordedRequest) -> Reply {
        guard let list = request.json?["requests"].arrayValue else { return .json(status: 400, body: #"{"error":{"message":"no requests"}}"#) }
        let lines = list.map { ($0["custom_id"].stringValue ?? "", JSON.compact($0)) }
        let batch = Batch(id: nextID("msgbatch_"), anthropic: true, lines: lines, status: "in_progress")
        state.withLock { $0.batches[batch.id] = batch }
        return .json(anthropicObject(batch))
    }

    /// The `custom_id` of a JSONL request line, read without parsing the whole line.
    private static func customID(_ line: String) -> String? {
        guard let key = line.range(of: "\"custom_id\":\""), let end = line[key.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(line[key.upperBound..<end])
    }

    private func cancel(_ id: String) -> Reply {
        let batch = state.withLock { s -> Batch? in
            guard var b = s.batches[id] else { return nil }
            s.cancelled.append(id)
            if !["completed", "expired", "cancelled", "failed", "ended"].contains(b.status) { b.status = b.anthropic ? "canceling" : "cancelling" }
            s.batches[id] = b
            return b
        }
        guard let batch else { return notFound("batch \(id)") }
        return .json(batch.anthropic ? anthropicObject(batch) : openAIObject(batch))
    }

    /// One status poll: the batch moves on a step (unless held), and is answered when it ends.
    private func poll(_ id: String, answer: Answer) -> Reply {
        let throttle = state.withLock { s -> String? in
            guard s.throttled > 0 else { return nil }
            s.throttled -= 1
            return s.retryAfter
        }
        if let throttle {
            return .json(status: 429, body: #"{"error":{"message":"slow down"}}"#, headers: [("Retry-After", throttle)])
        }
        let batch = state.withLock { s -> Batch? in
            guard var b = s.batches[id] else { return nil }
            b.polls += 1
            switch b.status {
            case "validating":
                if s.failValidation { b.status = "failed" } else { b.status = "in_progress" }
            case "in_progress" where (s.batches.index(forKey: id) ?? 0) < s.holdingFrom && b.polls > pollsInProgress:
                if b.anthropic { finish(&b, &s, answer: answer, cancelled: false) } else { b.status = "finalizing" }
            case "finalizing": finish(&b, &s, answer: answer, cancelled: false)
            case "cancelling", "canceling": finish(&b, &s, answer: answer, cancelled: true)
            default: break
            }
            s.batches[id] = b
            return b
        }
        guard let batch else { return notFound("batch \(id)") }
        return .json(batch.anthropic ? anthropicObject(batch) : openAIObject(batch))
    }

    /// Runs the batch's requests (none when it was cancelled) and writes its results.
    private func finish(_ b: inout Batch, _ s: inout State, answer: Answer, cancelled: Bool) {
        var output: [String] = []
        var errors: [String] = []
        var expired = false
        for (customID, line) in b.lines {
            let body = Batch.body(of: line, anthropic: b.anthropic)
            let outcome: Outcome = cancelled ? .expire : answer(customID, body)
            if case .expire = outcome {
                expired = expired || !cancelled
                if b.anthropic {
                    output.append(JSON.compact(["custom_id": .string(customID), "result": ["type": .string(cancelled ? "canceled" : "expired")]]))
                } else if !cancelled {
                    errors.append(
                        JSON.compact([
                            "custom_id": .string(customID), "response": .null,
                            "error": [
                                "code": "batch_expired", "message": "This request could not be executed before the completion window expired.",
                            ],
                        ]))
                }
                b.counts.failed += 1
                continue
            }
            s.answered[customID, default: 0] += 1
            switch outcome {
            case .text(let text):
                b.counts.done += 1
                let n = max(1, body["n"].intValue ?? 1)
                if b.anthropic {
                    let message: Value = [
                        "id": .string("msg_\(customID)"), "type": "message", "role": "assistant", "model": body["model"],
                        "content": [["type": "text", "text": .string(text)]], "stop_reason": "end_turn",
                        "usage": ["input_tokens": 10, "output_tokens": 5],
                    ]
                    output.append(JSON.compact(["custom_id": .string(customID), "result": ["type": "succeeded", "message": message]]))
                } else {
                    let choices = (0..<n).map { i -> Value in
                        ["index": .int(i), "message": ["role": "assistant", "content": .string(text)], "finish_reason": "stop"]
                    }
                    let completion: Value = [
                        "id": .string("chatcmpl-\(customID)"), "object": "chat.completion", "model": body["model"], "choices": .array(choices),
                        "usage": ["prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15],
                    ]
                    output.append(
                        JSON.compact([
                            "id": .string("batch_req_\(customID)"), "custom_id": .string(customID),
                            "response": ["status_code": 200, "request_id": "req", "body": completion], "error": .null,
                        ]))
                }
            case .error(let status, let message):
                b.counts.failed += 1
                if b.anthropic {
                    output.append(
                        JSON.compact([
                            "custom_id": .string(customID),
                            "result": [
                                "type": "errored",
                                "error": ["type": "error", "error": ["type": "invalid_request_error", "message": .string(message)]],
                            ],
                        ]))
                } else {
                    errors.append(
                        JSON.compact([
                            "id": .string("batch_req_\(customID)"), "custom_id": .string(customID),
                            "response": ["status_code": .int(status), "request_id": "req", "body": ["error": ["message": .string(message)]]],
                            "error": .null,
                        ]))
                }
            case .expire: break
            }
        }
        if b.anthropic {
            b.results = output
            b.status = "ended"
        } else {
            s.next += 1
            let outputID = "file-out-\(s.next)"
            s.files[outputID] = Array((output.joined(separator: "\n") + "\n").utf8)
            b.outputFile = outputID
            if !errors.isEmpty {
                let errorID = "file-err-\(s.next)"
                s.files[errorID] = Array((errors.joined(separator: "\n") + "\n").utf8)
                b.errorFile = errorID
            }
            b.status = cancelled ? "cancelled" : expired ? "expired" : "completed"
        }
    }

    private func openAIObject(_ b: Batch) -> Value {
        [
            "id": .string(b.id), "object": "batch", "endpoint": "/v1/chat/completions", "status": .string(b.status),
            "output_file_id": b.outputFile.map(Value.string) ?? .null, "error_file_id": b.errorFile.map(Value.string) ?? .null,
            "errors": b.status == "failed"
                ? ["object": "list", "data": [["code": "invalid_model", "message": "the model does not exist", "line": 1]]] : .null,
            "request_counts": ["total": .int(b.lines.count), "completed": .int(b.counts.done), "failed": .int(b.counts.failed)],
        ]
    }

    private func anthropicObject(_ b: Batch) -> Value {
        let ended = b.status == "ended"
        return [
            "id": .string(b.id), "type": "message_batch", "processing_status": .string(b.status),
            "request_counts": [
                "processing": .int(ended ? 0 : b.lines.count), "succeeded": .int(ended ? b.counts.done : 0),
                "errored": .int(ended ? b.counts.failed : 0), "canceled": 0, "expired": 0,
            ],
            "results_url": ended ? .string(apiBase + "/messages/batches/\(b.id)/results") : .null,
        ]
    }
}
