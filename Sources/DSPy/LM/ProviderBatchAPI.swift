import Foundation
import NIOHTTP1
import OrderedCollections

/// The wire format of a provider's batch API: OpenAI's Batch API (`/files` + `/batches`, which
/// vLLM also serves) or Anthropic's Message Batches (`/messages/batches`).
public enum ProviderBatchFormat: String, Sendable, Hashable, CaseIterable {
    case openAI = "openai"
    case anthropic

    /// The most requests one batch may hold (OpenAI 50 000, Anthropic 100 000).
    public var maxRequests: Int { self == .openAI ? 50_000 : 100_000 }
    /// The most bytes one batch may hold (OpenAI's input file 200 MB, Anthropic's 256 MB).
    public var maxBytes: Int { self == .openAI ? 200 << 20 : 256 << 20 }
}

/// What an LM's backend tells the batch engine: where its batch API is, and how one request
/// looks in a batch.
protocol ProviderBatchable: LMBackend {
    /// The batch API this backend's server has; nil when it has none (Ollama, llama.cpp).
    var batchFormat: ProviderBatchFormat? { get }
    var apiBase: String { get }
    var batchAPIKey: String? { get }
    /// The request's body as the batch carries it (the same body the chat call would POST).
    func batchBody(_ request: LMRequest) -> Value
}

extension OpenAICompatibleBackend: ProviderBatchable {
    /// OpenAI's own API and other `openai/` servers (vLLM) take batches; Ollama and llama.cpp do not.
    var batchFormat: ProviderBatchFormat? { providerName == "openai" ? .openAI : nil }
    var batchAPIKey: String? { apiKey }
    func batchBody(_ request: LMRequest) -> Value { body(request) }
}

extension AnthropicBackend: ProviderBatchable {
    var batchFormat: ProviderBatchFormat? { .anthropic }
    var batchAPIKey: String? { apiKey }
    func batchBody(_ request: LMRequest) -> Value { Self.body(request) }
}

/// One request in a provider batch: its id, and the line as the batch file holds it (OpenAI) or
/// as one entry of the create call (Anthropic). Only the encoded text is kept while the request
/// waits for its round, as it is all that is sent.
struct ProviderBatchLine: Sendable {
    let customID: String
    let encoded: String
}

/// A provider batch as the provider last described it.
struct ProviderBatchState: Sendable, Equatable {
    var id: String
    /// The provider's own word (`validating`, `in_progress`, `ended`, ...).
    var status: String
    /// True once the provider will change nothing more (completed, expired, cancelled, failed, ended).
    var ended: Bool
    var total: Int
    var done: Int
    var failed: Int
    var outputFileID: String?
    var errorFileID: String?
    /// Why the whole batch failed (OpenAI's validation errors), if it did.
    var failure: String?
}

/// The HTTP side of a provider's batch API: create, poll, read results, cancel.
struct ProviderBatchClient: Sendable {
    let format: ProviderBatchFormat
    let apiBase: String
    let apiKey: String?
    let timeout: Duration
    let redactor: Redactor
    /// Names the API in errors (`openai batch at 127.0.0.1:8000`).
    var context: String { "\(format.rawValue) batch" }

    init(format: ProviderBatchFormat, apiBase: String, apiKey: String?, timeout: Duration) {
        self.format = format
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        self.apiKey = apiKey
        self.timeout = timeout
        redactor = Redactor(secrets: [apiKey])
    }

    /// A line for `body` under `customID`.
    func line(customID: String, body: Value) -> ProviderBatchLine {
        let entry: Value
        switch format {
        case .openAI:
            entry = .object([
                "custom_id": .string(customID), "method": "POST", "url": "/v1/chat/completions", "body": body,
            ])
        case .anthropic:
            entry = .object(["custom_id": .string(customID), "params": body])
        }
        return ProviderBatchLine(customID: customID, encoded: JSON.compact(entry))
    }

    private var headers: [(String, String)] {
        var h: [(String, String)] = []
        switch format {
        case .openAI:
            if let apiKey, !apiKey.isEmpty { h.append(("Authorization", "Bearer \(apiKey)")) }
        case .anthropic:
            h.append(("anthropic-version", AnthropicBackend.apiVersion))
            if let apiKey, !apiKey.isEmpty { h.append(("x-api-key", apiKey)) }
        }
        return h
    }

    /// Sends one request and returns its JSON, turning an HTTP error into an ``LMError``.
    private func call(_ method: HTTPMethod, _ path: String, json: Value? = nil, body: [UInt8]? = nil, contentType: String? = nil)
        async throws -> Value
    {
        let reply = try await rawCall(method, path, json: json, body: body, contentType: contentType)
        do { return try JSON.parse(bytes: reply.body) } catch {
            throw LMError(
                .badResponse, "The \(context) API at \(HTTPTransport.hostPort(apiBase)) did not send JSON: \(String(reply.bodyText.prefix(200)))",
                hint: "Is apiBase pointing at the provider's API (usually ending in /v1)?")
        }
    }

    private func rawCall(_ method: HTTPMethod, _ path: String, json: Value? = nil, body: [UInt8]? = nil, contentType: String? = nil)
        async throws -> HTTPReply
    {
        let url = apiBase + path
        var bytes = body
        var type = contentType
        if let json {
            bytes = JSON.compactBytes(json)
            type = "application/json"
        }
        let reply = try await HTTPTransport.send(
            method, url: url, headers: headers, body: bytes, contentType: type, timeout: timeout,
            maxBytes: LM.defaultMaxResponseBytes * 16, context: context)
        guard (200..<300).contains(reply.status) else {
            var error = lmErrorForStatus(
                reply, provider: format == .openAI ? "openai" : "anthropic", model: context, url: url,
                serverMessage: serverErrorMessage(reply.body, redactor: redactor))
            error.model = nil
            error.message = "The \(context) API: " + error.message
            throw error
        }
        return reply
    }

    /// Uploads (OpenAI) and creates the batch; returns its first state.
    func create(_ lines: [ProviderBatchLine], completionWindow: String) async throws -> ProviderBatchState {
        switch format {
        case .openAI:
            let boundary = "dspy-swift-" + UUID().uuidString
            var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n".utf8)
            body += Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"dspy-batch.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n"
                    .utf8)
            for line in lines {
                body += Array(line.encoded.utf8)
                body.append(UInt8(ascii: "\n"))
            }
            body += Array("\r\n--\(boundary)--\r\n".utf8)
            let file = try await call(.POST, "/files", body: body, contentType: "multipart/form-data; boundary=\(boundary)")
            guard let fileID = file["id"].stringValue else {
                throw LMError(.badResponse, "The \(context) API accepted the file but sent no file id: \(JSON.compact(file).prefix(200))")
            }
            let batch = try await call(
                .POST, "/batches",
                json: .object([
                    "input_file_id": .string(fileID), "endpoint": "/v1/chat/completions",
                    "completion_window": .string(completionWindow), "metadata": .object(["created_by": "dspy-swift"]),
                ]))
            return try state(batch)
        case .anthropic:
            var body = Array("{\"requests\":[".utf8)
            for (i, line) in lines.enumerated() {
                if i > 0 { body.append(UInt8(ascii: ",")) }
                body += Array(line.encoded.utf8)
            }
            body += Array("]}".utf8)
            return try state(try await call(.POST, "/messages/batches", body: body, contentType: "application/json"))
        }
    }

    func status(_ id: String) async throws -> ProviderBatchState {
        try state(try await call(.GET, statusPath(id)))
    }

    /// Asks the provider to stop the batch; what finished stays billed and readable.
    func cancel(_ id: String) async throws {
        _ = try await call(.POST, statusPath(id) + "/cancel")
    }

    private func statusPath(_ id: String) -> String {
        let escaped = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
        return (format == .openAI ? "/batches/" : "/messages/batches/") + escaped
    }

    /// The provider's description of a batch, read leniently: counts and file ids may be
    /// missing while it validates.
    func state(_ v: Value) throws -> ProviderBatchState {
        guard let id = v["id"].stringValue, !id.isEmpty else {
            throw LMError(.badResponse, "The \(context) API answered without a batch id: \(JSON.compact(v).prefix(200))")
        }
        let counts = v["request_counts"]
        switch format {
        case .openAI:
            let status = v["status"].stringValue ?? "unknown"
            let failure = v["errors"]["data"].arrayValue?.compactMap { e -> String? in
                guard let m = e["message"].stringValue else { return nil }
                return e["line"].intValue.map { "line \($0): \(m)" } ?? m
            }.joined(separator: "; ")
            return ProviderBatchState(
                id: id, status: status, ended: ["completed", "expired", "cancelled", "failed"].contains(status),
                total: counts["total"].intValue ?? 0, done: (counts["completed"].intValue ?? 0) + (counts["failed"].intValue ?? 0),
                failed: counts["failed"].intValue ?? 0, outputFileID: v["output_file_id"].stringValue,
                errorFileID: v["error_file_id"].stringValue,
                failure: status == "failed" ? (failure?.isEmpty == false ? failure : "the provider rejected the batch") : nil)
        case .anthropic:
            let status = v["processing_status"].stringValue ?? "unknown"
            let processing = counts["processing"].intValue ?? 0
            let succeeded = counts["succeeded"].intValue ?? 0
            let failed = (counts["errored"].intValue ?? 0) + (counts["canceled"].intValue ?? 0) + (counts["expired"].intValue ?? 0)
            return ProviderBatchState(
                id: id, status: status, ended: status == "ended", total: processing + succeeded + failed, done: succeeded + failed,
                failed: failed, outputFileID: nil, errorFileID: nil, failure: nil)
        }
    }

    /// Each request's outcome in an ended batch, by custom id: the reply, or why there is none.
    func results(_ batch: ProviderBatchState) async throws -> [String: Result<LMResponse, LMError>] {
        var out: [String: Result<LMResponse, LMError>] = [:]
        let address = HTTPTransport.hostPort(apiBase)
        switch format {
        case .openAI:
            for file in [batch.outputFileID, batch.errorFileID].compactMap({ $0 }) {
                let reply = try await rawCall(.GET, "/files/\(file)/content")
                for line in Self.lines(reply.body) {
                    guard let v = try? JSON.parse(line), let id = v["custom_id"].stringValue else { continue }
                    out[id] = openAIOutcome(v, address: address)
                }
            }
        case .anthropic:
            let reply = try await rawCall(.GET, statusPath(batch.id) + "/results")
            for line in Self.lines(reply.body) {
                guard let v = try? JSON.parse(line), let id = v["custom_id"].stringValue else { continue }
                out[id] = anthropicOutcome(v["result"], address: address)
            }
        }
        return out
    }

    private static func lines(_ body: [UInt8]) -> [String] {
        body.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }.filter {
            !$0.trimmingCharacters(in: .whitespaces).isEmpty
        }
    }

    private func openAIOutcome(_ v: Value, address: String) -> Result<LMResponse, LMError> {
        let response = v["response"]
        if let status = response["status_code"].intValue {
            let body = response["body"]
            guard (200..<300).contains(status) else {
                let bytes = JSON.compactBytes(body)
                var error = lmErrorForStatus(
                    HTTPReply(status: status, headers: [], body: bytes), provider: "openai", model: "", url: apiBase,
                    serverMessage: serverErrorMessage(bytes, redactor: redactor))
                error.model = nil
                return .failure(error)
            }
            do {
                return .success(try OpenAICompatibleBackend.parse(body, text: JSON.compact(body), address: address, model: ""))
            } catch let error as LMError {
                return .failure(error)
            } catch {
                return .failure(LMError(.badResponse, "The \(context) result could not be read: \(error)"))
            }
        }
        let code = v["error"]["code"].stringValue ?? "error"
        let message = redactor.scrub(v["error"]["message"].stringValue ?? "no message")
        return .failure(Self.requestError(code: code, message: message, context: context))
    }

    private func anthropicOutcome(_ result: Value, address: String) -> Result<LMResponse, LMError> {
        switch result["type"].stringValue {
        case "succeeded":
            do {
                return .success(
                    try AnthropicBackend.parseMessage(result["message"], text: JSON.compact(result["message"]), address: address, model: ""))
            } catch let error as LMError {
                return .failure(error)
            } catch {
                return .failure(LMError(.badResponse, "The \(context) result could not be read: \(error)"))
            }
        case "errored":
            let inner = result["error"]["error"].isNull ? result["error"] : result["error"]["error"]
            let code = inner["type"].stringValue ?? "error"
            return .failure(Self.requestError(code: code, message: redactor.scrub(inner["message"].stringValue ?? "no message"), context: context))
        case "expired": return .failure(Self.requestError(code: "batch_expired", message: "", context: context))
        case "canceled": return .failure(Self.requestError(code: "batch_cancelled", message: "", context: context))
        default:
            return .failure(LMError(.badResponse, "The \(context) result has an unknown type: \(JSON.compact(result).prefix(200))"))
        }
    }

    /// The error of one request the batch did not answer, by the provider's error code.
    static func requestError(code: String, message: String, context: String) -> LMError {
        switch code {
        case "batch_expired":
            return LMError(
                .timeout, "The \(context) expired before the provider ran this request\(message.isEmpty ? "" : ": \(message)").",
                hint: "Run the same program again: finished calls come from the cache and only the rest are submitted.")
        case "batch_cancelled":
            return LMError(
                .server, "The \(context) was cancelled before this request ran.",
                hint: "Run the same program again to submit the rest.")
        case "invalid_request_error", "invalid_request", "invalid_value", "model_not_found":
            return LMError(.invalidRequest, "The \(context) rejected this request (\(code)): \(message)")
        case "authentication_error", "permission_error":
            return LMError(.authentication, "The \(context) refused this request (\(code)): \(message)")
        case "rate_limit_error", "rate_limit_exceeded":
            return LMError(.rateLimit, "The \(context) was rate limited on this request (\(code)): \(message)")
        default:
            return LMError(.server, "The \(context) failed this request (\(code)): \(message)")
        }
    }
}
