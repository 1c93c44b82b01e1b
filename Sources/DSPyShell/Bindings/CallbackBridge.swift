import DSPy
import OrderedCollections
import PythonInterpreter

/// Python callbacks (`class Logger(dspy.utils.callback.BaseCallback)`) as library callbacks.
/// The library fires callbacks synchronously from its own threads; running Python there could
/// stall those threads, so events are queued in order and delivered on a Python thread. The
/// shell waits for the queue to drain at the end of each statement, so their output comes
/// before the next prompt.
final class CallbackBridge: Callback, @unchecked Sendable {
    // Sendable proof: `object` is only used inside `runPython` (under the interpreter lock);
    // the dispatcher is thread-safe.
    let object: PyValue
    let dispatcher: CallbackDispatcher

    init(object: PyValue, dispatcher: CallbackDispatcher) {
        self.object = object
        self.dispatcher = dispatcher
    }

    /// The library callback for a Python object (a BaseCallback subclass instance).
    static func callback(_ ctx: ExecContext, _ v: PyValue) throws -> any Callback {
        if let existing = v.as(CallbackObject.self) { return existing.payload }
        guard v.type.isSubtype(of: DSPyTypes.callback) else {
            throw PyError.type("callbacks must be instances of a dspy.utils.callback.BaseCallback subclass, not \(v.typeName)")
        }
        return CallbackBridge(object: v, dispatcher: try ctx.shell.callbackDispatcher)
    }

    static func python(_ c: any Callback) -> PyValue {
        if let b = c as? CallbackBridge { return b.object }
        return .object(CallbackObject(c))
    }

    private func send(_ method: String, _ build: @escaping @Sendable (ExecContext) throws -> [PyValue]) {
        let object = self.object
        dispatcher.enqueue { ctx in
            guard let m = try ctx.lookupAttr(object, method) else { return }
            _ = try ctx.call(m, Args(try build(ctx)))
        }
    }

    private static func dict(_ inputs: Inputs) -> PyValue { Convert.python(.object(inputs)) }

    private static func exception(_ error: (any Error)?) -> PyValue {
        guard let error else { return .none }
        return .object(((error as? PyError) ?? DSPyErrors.python(error)).exception)
    }

    func onModuleStart(_ call: CallInfo, module: any DSPy.Module, inputs: Inputs) {
        send("on_module_start") { _ in [.str(call.id), ModuleBinding.wrap(module), CallbackBridge.dict(inputs)] }
    }
    func onModuleEnd(_ call: CallInfo, outputs: Prediction?, error: (any Error)?) {
        send("on_module_end") { _ in [.str(call.id), outputs.map { .object(RecordObject.prediction($0)) } ?? .none, CallbackBridge.exception(error)] }
    }
    func onLMStart(_ call: CallInfo, lm: LM, messages: [Message], parameters: OrderedDictionary<String, Value>) {
        send("on_lm_start") { _ in
            let d = PyDict()
            d.setString("prompt", .none)
            d.setString(
                "messages", .object(PyList(messages.map { .object(PyDict([("role", .str($0.role.rawValue)), ("content", .str($0.content))])) })))
            for (k, v) in parameters { d.setString(k, Convert.python(v)) }
            return [.str(call.id), .object(LMObject.wrap(lm)), .object(d)]
        }
    }
    func onLMEnd(_ call: CallInfo, outputs: [String]?, error: (any Error)?) {
        send("on_lm_end") { _ in [.str(call.id), outputs.map { .object(PyList($0.map { .str($0) })) } ?? .none, CallbackBridge.exception(error)] }
    }
    func onAdapterFormatStart(_ call: CallInfo, adapter: any Adapter, signature: Signature, demos: [Example], inputs: Inputs) {
        send("on_adapter_format_start") { _ in [.str(call.id), .object(AdapterObject(adapter)), CallbackBridge.dict(inputs)] }
    }
    func onAdapterFormatEnd(_ call: CallInfo, messages: [Message]?, error: (any Error)?) {
        send("on_adapter_format_end") { _ in
            [
                .str(call.id),
                messages.map { .object(PyList($0.map { .object(PyDict([("role", .str($0.role.rawValue)), ("content", .str($0.content))])) })) }
                    ?? .none,
                CallbackBridge.exception(error),
            ]
        }
    }
    func onAdapterParseStart(_ call: CallInfo, adapter: any Adapter, signature: Signature, completion: String) {
        send("on_adapter_parse_start") { _ in [.str(call.id), .object(AdapterObject(adapter)), .object(PyDict([("completion", .str(completion))]))] }
    }
    func onAdapterParseEnd(_ call: CallInfo, outputs: Inputs?, error: (any Error)?) {
        send("on_adapter_parse_end") { _ in [.str(call.id), outputs.map(CallbackBridge.dict) ?? .none, CallbackBridge.exception(error)] }
    }
    func onToolStart(_ call: CallInfo, tool: String, arguments: Inputs) {
        send("on_tool_start") { _ in [.str(call.id), .str(tool), CallbackBridge.dict(arguments)] }
    }
    func onToolEnd(_ call: CallInfo, result: Value?, error: (any Error)?) {
        send("on_tool_end") { _ in [.str(call.id), result.map(Convert.python) ?? .none, CallbackBridge.exception(error)] }
    }

    static func install(_ t: PyType) {
        t.doc =
            "Subclass it and override on_module_start/end, on_lm_start/end, on_tool_start/end, on_adapter_format_start/end, on_adapter_parse_start/end; pass instances as callbacks=[...]."
        for name in [
            "on_module_start", "on_module_end", "on_lm_start", "on_lm_end", "on_adapter_format_start", "on_adapter_format_end",
            "on_adapter_parse_start", "on_adapter_parse_end", "on_tool_start", "on_tool_end", "on_evaluate_start", "on_evaluate_end",
        ] {
            t.method(name, "\(name)(self, call_id, ...)") { _, _, _ in .none }
        }
        t.method("__init__") { _, _, _ in .none }
    }
}

/// A library callback that is not a Python object (shown as-is in settings).
final class CallbackObject: PyNativeObject<any Callback>, @unchecked Sendable {
    // Sendable proof: as every Python object, touched only under the interpreter lock.
    init(_ c: any Callback) { super.init(type: DSPyTypes.callback, payload: c) }
}

/// Delivers queued callback events, in order, on a Python thread.
final class CallbackDispatcher: Sendable {
    typealias Event = @Sendable (ExecContext) throws -> Void
    private let state = Locked<(queue: [Event], running: Bool, waiters: [CheckedContinuation<Void, Never>])>(([], false, []))
    let interpreter: Interpreter
    let report: @Sendable (String) -> Void

    init(interpreter: Interpreter, report: @escaping @Sendable (String) -> Void) {
        self.interpreter = interpreter
        self.report = report
    }

    func enqueue(_ event: @escaping Event) {
        let start = state.withLock { s -> Bool in
            s.queue.append(event)
            if s.running { return false }
            s.running = true
            return true
        }
        guard start else { return }
        Task.detached { await self.drain() }
    }

    private func drain() async {
        while true {
            let next: Event? = state.withLock { s in s.queue.isEmpty ? nil : s.queue.removeFirst() }
            guard let event = next else {
                let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                    s.running = false
                    defer { s.waiters = [] }
                    return s.waiters
                }
                for w in waiters { w.resume() }
                return
            }
            do {
                try await interpreter.runPython { ctx in try event(ctx) }
            } catch {
                report("warning: a callback failed: \(error)\n")
            }
        }
    }

    /// Returns once every queued event has been delivered.
    func idle() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if !s.running && s.queue.isEmpty { return true }
                s.waiters.append(c)
                return false
            }
            if ready { c.resume() }
        }
    }
}
