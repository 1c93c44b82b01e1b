import OrderedCollections
import Synchronization

/// Identifies one observed call and the call it happened inside (for lineage).
public struct CallInfo: Sendable, Hashable {
    public let id: String
    /// The enclosing observed call, `nil` at the top.
    public let parentID: String?
}

/// Hooks fired around module, LM, adapter and tool calls (DSPy's `BaseCallback`). Every method
/// has an empty default, so a handler implements only what it needs. Handlers run inline and
/// must be quick; they see the call id and the parent's id.
public protocol Callback: Sendable {
    func onModuleStart(_ call: CallInfo, module: any Module, inputs: Inputs)
    func onModuleEnd(_ call: CallInfo, outputs: Prediction?, error: (any Error)?)
    func onLMStart(_ call: CallInfo, lm: LM, messages: [Message], parameters: OrderedDictionary<String, Value>)
    func onLMEnd(_ call: CallInfo, outputs: [String]?, error: (any Error)?)
    func onAdapterFormatStart(_ call: CallInfo, adapter: any Adapter, signature: Signature, demos: [Example], inputs: Inputs)
    func onAdapterFormatEnd(_ call: CallInfo, messages: [Message]?, error: (any Error)?)
    func onAdapterParseStart(_ call: CallInfo, adapter: any Adapter, signature: Signature, completion: String)
    func onAdapterParseEnd(_ call: CallInfo, outputs: Inputs?, error: (any Error)?)
    func onToolStart(_ call: CallInfo, tool: String, arguments: Inputs)
    func onToolEnd(_ call: CallInfo, result: Value?, error: (any Error)?)
}

extension Callback {
    public func onModuleStart(_ call: CallInfo, module: any Module, inputs: Inputs) {}
    public func onModuleEnd(_ call: CallInfo, outputs: Prediction?, error: (any Error)?) {}
    public func onLMStart(_ call: CallInfo, lm: LM, messages: [Message], parameters: OrderedDictionary<String, Value>) {}
    public func onLMEnd(_ call: CallInfo, outputs: [String]?, error: (any Error)?) {}
    public func onAdapterFormatStart(_ call: CallInfo, adapter: any Adapter, signature: Signature, demos: [Example], inputs: Inputs) {}
    public func onAdapterFormatEnd(_ call: CallInfo, messages: [Message]?, error: (any Error)?) {}
    public func onAdapterParseStart(_ call: CallInfo, adapter: any Adapter, signature: Signature, completion: String) {}
    public func onAdapterParseEnd(_ call: CallInfo, outputs: Inputs?, error: (any Error)?) {}
    public func onToolStart(_ call: CallInfo, tool: String, arguments: Inputs) {}
    public func onToolEnd(_ call: CallInfo, result: Value?, error: (any Error)?) {}
}

/// The id of the observed call the current task is inside (DSPy's `ACTIVE_CALL_ID`).
public enum CallLineage {
    @TaskLocal public static var activeCallID: String?
}

/// Runs a body between start and end hooks, with the call id bound for nested calls.
enum CallbackRunner {
    static func run<R>(
        handlers: [any Callback], isolation: isolated (any Actor)? = #isolation,
        start: (any Callback, CallInfo) -> Void,
        end: (any Callback, CallInfo, R?, (any Error)?) -> Void,
        _ body: () async throws -> R
    ) async throws -> R {
        if handlers.isEmpty { return try await body() }
        let info = CallInfo(id: CallID.make(), parentID: CallLineage.activeCallID)
        for h in handlers { start(h, info) }
        do {
            let r = try await CallLineage.$activeCallID.withValue(info.id, operation: body, isolation: isolation)
            for h in handlers { end(h, info, r, nil) }
            return r
        } catch {
            for h in handlers { end(h, info, nil, error) }
            throw error
        }
    }

    static func runSync<R>(
        handlers: [any Callback],
        start: (any Callback, CallInfo) -> Void,
        end: (any Callback, CallInfo, R?, (any Error)?) -> Void,
        _ body: () throws -> R
    ) throws -> R {
        if handlers.isEmpty { return try body() }
        let info = CallInfo(id: CallID.make(), parentID: CallLineage.activeCallID)
        for h in handlers { start(h, info) }
        do {
            let r = try CallLineage.$activeCallID.withValue(info.id, operation: body)
            for h in handlers { end(h, info, r, nil) }
            return r
        } catch {
            for h in handlers { end(h, info, nil, error) }
            throw error
        }
    }
}

/// One `Predict` call recorded in the trace: the predictor, its inputs and its prediction.
public struct TraceEntry: Sendable {
    public let predictor: Predict
    public let inputs: Inputs
    public let prediction: Prediction
}

/// The list `Predict` appends to (DSPy's `settings.trace`), bounded by `max_trace_size`.
public final class Trace: Sendable {
    private let store = Locked(BoundedBuffer<TraceEntry>())
    public init() {}
    public var entries: [TraceEntry] { store.withLock { $0.entries } }
    public var count: Int { store.withLock { $0.count } }
    public func clear() { store.withLock { $0.removeAll() } }
    func append(_ e: TraceEntry, limit: Int) { store.withLock { $0.append(e, limit: limit) } }
}

extension SettingKey where Value == [any Callback] {
    /// Global callback handlers (`callbacks`), run before each module's own.
    public static var callbacks: SettingKey {
        SettingKey(
            "callbacks", summary: "handlers called at the start and end of every module, LM, adapter and tool call",
            default: { [] }, check: .instance(of: [any Callback].self, "a list of callbacks", optional: false))
    }
}

extension SettingKey where Value == Trace? {
    /// The trace that `Predict` appends to (`trace`); `nil` disables tracing.
    public static var trace: SettingKey {
        SettingKey(
            "trace", summary: "the (predictor, inputs, prediction) steps recorded while a program runs",
            default: { Trace() },
            check: SettingCheck { v, key in
                // DSPy's idiom `context(trace=[])` starts a fresh trace for the block.
                if case .array(let items)? = v as? DSPy.Value, items.isEmpty { return Trace() }
                return try SettingCheck.instance(of: Trace.self, "a trace, or [] for a new one").run(v, key)
            })
    }
}

extension SettingKey where Value == Int {
    /// Bound for the trace (`max_trace_size`, 10 000).
    public static var maxTraceSize: SettingKey {
        SettingKey(
            "max_trace_size", summary: "the most steps the trace keeps (default 10 000)",
            default: { 10_000 }, check: .integer(in: 0...Int.max, "a whole number, 0 or more"))
    }
}

extension Settings {
    /// Global callback handlers (`callbacks`).
    public var callbacks: [any Callback] { self[.callbacks] }
    /// The trace that `Predict` appends to (`trace`); `nil` disables tracing.
    public var trace: Trace? { self[.trace] }
    /// Bound for the trace (`max_trace_size`, 10 000).
    public var maxTraceSize: Int { self[.maxTraceSize] }
}
