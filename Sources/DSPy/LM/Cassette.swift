import Foundation
import Logging
import OrderedCollections
#if canImport(Glibc)
    import Glibc
#endif

/// Records LM requests and replies to a file, and answers from such a file with no network:
/// a session recorded once replays byte-identically offline, e.g. in CI.
///
/// Turn it on with the `cassette` setting (`configure(extra: ["cassette": try Cassette(recordingTo: path)])`)
/// or the shell's `--record FILE` / `--replay FILE [--strict]`. Requests are matched by
/// `RequestKey` (the SHA-256 of the request without credentials); repeats of one request are
/// answered in the order they were recorded, the last answer again once they run out.
///
/// The file is JSON Lines: a header line, then one line per call with the request (model,
/// messages, parameters), and the reply (choices, usage, the provider's raw response) or the
/// error. API keys and server addresses are never part of a request, so never written, and the
/// LM's credentials are scrubbed from everything else (`Redactor`).
///
/// A recording goes to a temporary file beside its target, which replaces the target only once
/// it holds the header and the first call (or when the cassette is closed): a crash can never
/// leave an existing cassette destroyed. Replaying and recording the same file is refused.
public final class Cassette: Sendable, CustomStringConvertible {
    /// What happens to a request the cassette does not hold.
    public enum MissPolicy: Sendable, Hashable {
        /// Fail with ``CassetteMiss``.
        case fail
        /// Send it to the real LM, and every later request too (the session has diverged).
        case fallThrough
    }

    /// One recorded call: a reply, or the error the caller saw.
    enum Outcome: Sendable {
        case response(LMResponse)
        case failure(any Error)
    }

    /// The file replayed from, if any.
    public let replayPath: String?
    /// The file written to, if any.
    public let recordPath: String?
    public let missPolicy: MissPolicy
    /// What loading the replayed file noticed but tolerated (an empty cassette, a last line cut
    /// short); each is also logged as a warning. A strict cassette refuses these instead.
    public let warnings: [String]
    static let logger = Logger(label: "dspy.cassette")

    private struct ReplayState {
        var queues: [String: [Outcome]] = [:]
        var positions: [String: Int] = [:]
        var diverged = false
        var replayed = 0
    }
    private let replayState: Locked<ReplayState>
    private let writer: Locked<Writer?>
    private let recordedCount = Locked(0)

    /// The recording's file: written under a temporary name until ``publish()`` renames it over
    /// the target (after which the same open file keeps growing under the target's name).
    private struct Writer {
        var handle: FileHandle
        let temporaryPath: String
        let path: String
        var published = false

        /// Makes the temporary file the cassette (atomic rename; data synced first).
        mutating func publish() throws {
            guard !published else { return }
            try? handle.synchronize()
            guard rename(temporaryPath, path) == 0 else {
                throw CassetteError(
                    "Cannot write the cassette \(path): \(String(cString: strerror(errno))).",
                    hint: "Check that its directory is writable. The recording so far is in \(temporaryPath).")
            }
            published = true
        }
    }

    /// A cassette that records every call to `path` (an existing file there is replaced when the
    /// first call is recorded, or when the cassette is closed).
    public convenience init(recordingTo path: String) throws {
        try self.init(replaying: nil, recordingTo: path)
    }

    /// A cassette that answers from `replaying` (written earlier by a recording cassette) and,
    /// when `recordingTo` is given, also writes every call of this session there.
    ///
    /// Throws ``CassetteError`` when both name the same file, when the file cannot be read or is
    /// damaged, and, with the strict ``MissPolicy/fail``, when it is empty or its last line is
    /// cut short (otherwise those are ``warnings``).
    public init(replaying: String?, missPolicy: MissPolicy = .fail, recordingTo: String? = nil) throws {
        replayPath = replaying
        recordPath = recordingTo
        self.missPolicy = missPolicy
        if let replaying, let recordingTo, Cassette.sameFile(replaying, recordingTo) {
            throw CassetteError(
                "Cannot record to \(recordingTo) while replaying it: it is the same file.",
                hint: "Record to another file (--record NEW --replay OLD), then rename it over the old one.")
        }
        var state = ReplayState()
        var warnings: [String] = []
        if let replaying { (state.queues, warnings) = try Cassette.load(replaying, strict: missPolicy == .fail) }
        for w in warnings { Cassette.logger.warning("\(LogText.oneLine(w))") }
        self.warnings = warnings
        replayState = Locked(state)
        if let recordingTo {
            writer = Locked(try Cassette.startRecording(to: recordingTo))
        } else {
            writer = Locked(nil)
        }
    }

    /// A temporary file beside `path` (`.NAME.PID.recording`) holding the header. Such files
    /// left by processes that died before recording a call are removed.
    private static func startRecording(to path: String) throws -> Writer {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let prefix = "." + url.lastPathComponent + ".", suffix = ".recording"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(prefix) && name.hasSuffix(suffix) {
            guard let pid = Int32(name.dropFirst(prefix.count).dropLast(suffix.count)), pid != getpid(),
                kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            _ = unlink(directory + "/" + name)
        }
        let temporary = directory + "/" + prefix + String(getpid()) + suffix
        guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: temporary)
        else {
            throw CassetteError("Cannot create the cassette file \(path).", hint: "Check that its directory exists and is writable.")
        }
        let header: Value = ["dspy_swift_cassette": 1, "version": .string(DSPyVersion.string)]
        handle.write(Data((JSON.compact(header) + "\n").utf8))
        return Writer(handle: handle, temporaryPath: temporary, path: path)
    }

    /// Finishes the recording: a session that recorded nothing still leaves its (empty)
    /// cassette. Idempotent; `deinit` calls it too. Calls recorded afterwards are dropped.
    public func close() throws {
        try writer.withLock { w in
            guard var current = w else { return }
            defer { w = nil; try? current.handle.close() }
            try current.publish()
        }
    }

    deinit { try? close() }

    /// True when both paths name one file (the same path, or links to the same file).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        let ua = URL(fileURLWithPath: a).standardizedFileURL.resolvingSymlinksInPath()
        let ub = URL(fileURLWithPath: b).standardizedFileURL.resolvingSymlinksInPath()
        if ua.path == ub.path { return true }
        var sa = stat(), sb = stat()
        return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    /// Calls recorded to the file so far.
    public var recorded: Int { recordedCount.withLock { $0 } }
    /// Calls answered from the replayed file so far.
    public var replayed: Int { replayState.withLock { $0.replayed } }
    /// True once a request missed and ``MissPolicy/fallThrough`` sent the session to the real LM.
    public var hasDiverged: Bool { replayState.withLock { $0.diverged } }

    public var description: String {
        var parts: [String] = []
        if let replayPath { parts.append("replaying \(replayPath)\(missPolicy == .fail ? " (strict)" : "")") }
        if let recordPath { parts.append("recording to \(recordPath)") }
        return "Cassette(" + parts.joined(separator: ", ") + ")"
    }

    // MARK: Replay

    /// The recorded outcome for `key`; `nil` when the call should go to the real LM.
    func replay(_ key: RequestKey, model: String, request: LMRequest) throws -> Outcome? {
        guard replayPath != nil else { return nil }
        let found: Outcome? = replayState.withLock { s in
            guard !s.diverged, let queue = s.queues[key.hex], !queue.isEmpty else { return nil }
            let position = s.positions[key.hex, default: 0]
            s.positions[key.hex] = position + 1
            s.replayed += 1
            return queue[min(position, queue.count - 1)]
        }
        if let found { return found }
        // Only a fall-through cassette ever diverges; from then on everything goes to the LM.
        guard missPolicy == .fail else {
            replayState.withLock { $0.diverged = true }
            return nil
        }
        throw CassetteMiss(model: model, key: key, lastUserMessage: request.messages.last?.content ?? "", path: replayPath ?? "")
    }

    // MARK: Recording

    /// Appends one call, scrubbed of the LM's credentials by `redactor`. The first call makes
    /// the recording the cassette (see ``close()``).
    func record(_ key: RequestKey, model: String, request: LMRequest, outcome: Outcome, redactor: Redactor) {
        guard recordPath != nil else { return }
        var params = request.parameters
        params.removeAll { LMRequest.isCredential($0.key) }
        var entry: OrderedDictionary<String, Value> = [
            "key": .string(key.hex), "model": .string(model),
            "messages": .array(request.messages.map(\.jsonValue)), "parameters": .object(params),
        ]
        switch outcome {
        case .response(let r):
            var stored = r.storedValue
            if case .object(var o) = stored {
                o["cache_hit"] = .bool(r.cacheHit)
                stored = .object(o)
            }
            entry["response"] = stored
        case .failure(let e): entry["error"] = Cassette.encode(error: e)
        }
        let line = Data((JSON.compact(redactor.scrub(.object(entry))) + "\n").utf8)
        let (written, failure): (Bool, (any Error)?) = writer.withLock { w in
            guard w != nil else { return (false, nil) }  // closed: the session is over
            // One write per line: a crash loses at most the line being written.
            w?.handle.write(line)
            do { try w?.publish() } catch { return (true, error) }
            return (true, nil)
        }
        if let failure { Cassette.logger.warning("\(LogText.oneLine(String(describing: failure)))") }
        if written { recordedCount.withLock { $0 += 1 } }
    }

    // MARK: File format

    /// The recorded outcomes by request key, and what was tolerated. An empty cassette and a
    /// last line cut short (a recording that was interrupted) are warnings, or errors when
    /// `strict`; damage anywhere else is always an error.
    static func load(_ path: String, strict: Bool) throws -> (queues: [String: [Outcome]], warnings: [String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CassetteError(
                "Cannot read the cassette \(path).", hint: "Record one first with --record \(path) (shell) or Cassette(recordingTo:).")
        }
        var warnings: [String] = []
        func tolerate(_ problem: String, strictHint: String) throws {
            if strict { throw CassetteError(problem, hint: strictHint) }
            warnings.append(problem + " Requests it does not answer go to the real LM.")
        }
        var queues: [String: [Outcome]] = [:]
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let lastLine = lines.lastIndex { !$0.isEmpty } ?? -1
        var entries = 0
        for (index, line) in lines.enumerated() where !line.isEmpty {
            let lineNumber = index + 1
            let v: Value
            do { v = try JSON.parse(bytes: Array(line)) } catch {
                // A crash while recording can leave the last line cut short; anything else is damage.
                guard index == lastLine else { throw CassetteError("The cassette \(path) is damaged at line \(lineNumber): \(error).") }
                try tolerate(
                    "The last line (\(lineNumber)) of the cassette \(path) is cut short: the recording was interrupted, so its call is missing.",
                    strictHint: "Record the session again, or replay without --strict to send that call to the real LM.")
                break
            }
            if lineNumber == 1 {
                guard v["dspy_swift_cassette"].intValue == 1 else {
                    throw CassetteError("\(path) is not a DSPy cassette (its first line has no \"dspy_swift_cassette\": 1).")
                }
                continue
            }
            guard let key = v["key"].stringValue else {
                throw CassetteError("The cassette \(path) has an entry without a key at line \(lineNumber).")
            }
            if !v["response"].isNull {
                guard var r = LMResponse(storedValue: v["response"]) else {
                    throw CassetteError("The cassette \(path) has an unreadable reply at line \(lineNumber).")
                }
                r.cacheHit = v["response"]["cache_hit"].boolValue ?? false
                queues[key, default: []].append(.response(r))
            } else {
                queues[key, default: []].append(.failure(decodeError(v["error"])))
            }
            entries += 1
        }
        if entries == 0 && warnings.isEmpty {
            try tolerate(
                "The cassette \(path) is empty: it holds no recorded calls.",
                strictHint: "Record the session first (--record \(path)), or replay without --strict.")
        }
        return (queues, warnings)
    }

    static func encode(error: any Error) -> Value {
        if let e = error as? TokenBudgetExceeded {
            return ["type": "budget", "model": .string(e.model), "limit": .int(e.limit), "spent": .int(e.spent), "outer_levels": .int(e.outerLevels)]
        }
        if let e = error as? LMError {
            return [
                "type": "lm", "kind": .string(e.kind.rawValue), "message": .string(e.message), "model": e.model.map(Value.string) ?? .null,
                "status": e.status.map(Value.int) ?? .null, "hint": e.hint.map(Value.string) ?? .null, "attempts": .int(e.attempts),
                "retry_after": e.retryAfter.map(Value.double) ?? .null,
            ]
        }
        return ["type": "other", "message": .string(String(describing: error))]
    }

    static func decodeError(_ v: Value) -> any Error {
        switch v["type"].stringValue {
        case "budget":
            return TokenBudgetExceeded(
                model: v["model"].stringValue ?? "", limit: v["limit"].intValue ?? 0,
                spent: v["spent"].intValue ?? 0, outerLevels: v["outer_levels"].intValue ?? 0)
        case "lm":
            var e = LMError(
                LMError.Kind(rawValue: v["kind"].stringValue ?? "") ?? .badResponse, v["message"].stringValue ?? "",
                model: v["model"].stringValue, status: v["status"].intValue, retryAfter: v["retry_after"].doubleValue,
                hint: v["hint"].stringValue)
            e.attempts = v["attempts"].intValue ?? 1
            return e
        default:
            return CassetteError(v["message"].stringValue ?? "a recorded error")
        }
    }
}

/// A request reached a strict cassette that holds no reply for it.
public struct CassetteMiss: DSPyError {
    public let model: String
    package let key: RequestKey
    /// The request's identity in the cassette (64 hex digits), as its lines record it.
    public var requestKey: String { key.hex }
    /// The request's last message, to tell which call it was.
    public let lastUserMessage: String
    public let path: String

    public var summary: String {
        let excerpt = lastUserMessage.split(separator: "\n").suffix(3).joined(separator: " | ")
        return "[\(model)] The cassette \(path) has no reply for this request (key \(key.hex.prefix(12))…; it ends with: \(excerpt.prefix(160)))."
    }

    public var hints: [String] {
        ["the session diverged from the recording — record it again with --record, or replay without --strict to send new requests to the real LM."]
    }

    public var code: String { "cassetteMiss" }
}

/// A cassette file could not be read or written.
public struct CassetteError: DSPyError {
    public let message: String
    public let hint: String?
    init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
    public var summary: String { message }
    public var hints: [String] { hint.map { [$0] } ?? [] }
    public var code: String { "cassetteError" }
}

extension SettingKey where Value == Cassette? {
    /// The cassette that records or replays LM calls (`cassette`, not a DSPy key).
    public static var cassette: SettingKey {
        SettingKey(
            "cassette", summary: "a cassette that records or replays LM calls (not a DSPy key)",
            default: { nil }, listed: false, check: .instance(of: Cassette.self, "a Cassette"))
    }
}

extension Settings {
    /// The cassette that records or replays LM calls (`cassette`), if one is set.
    public var cassette: Cassette? { self[.cassette] }
}
