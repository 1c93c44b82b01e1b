import Dispatch
import Synchronization

extension Interpreter {
    /// Runs Python code from async Swift code (a library calling back into a Python function):
    /// on a Python thread, with the interpreter lock and the caller's scope; cancelling the
    /// calling task interrupts the Python code.
    public func runPython<T: Sendable>(_ body: @escaping @Sendable (ExecContext) throws -> T) async throws -> T {
        let token = CancelToken()
        let carrier = hooks.captureScope?()
        // The result travels through a mutex-guarded box, not the continuation: the thread
        // sanitizer does not see a continuation resumed from a plain thread as a hand-over.
        let box = Guarded<Result<T, any Error>?>(nil)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ticket = lock.reserve()
                do {
                    try PythonThreads.shared.run {
                        self.lock.acquire(ticket)
                        let ctx = ExecContext(interpreter: self, cancel: token)
                        let result = ctx.activate { Result { try ScopeCarrierRunner.run(carrier) { try body(ctx) } } }
                        self.lock.release()
                        box.withLock { $0 = result }
                        continuation.resume()
                    }
                } catch {
                    lock.acquire(ticket)
                    lock.release()
                    box.withLock { $0 = .failure(error) }
                    continuation.resume()
                }
            }
        } onCancel: {
            token.cancel()
        }
        guard let result = box.withLock({ $0 }) else { throw PyInterrupt() }
        return try result.get()
    }

    /// Runs Python code from a plain (non-Swift-concurrency) thread that may block, such as a
    /// worker of a blocking pool: the thread waits while a Python thread runs `body`.
    public func runPythonBlocking<T: Sendable>(_ body: @escaping @Sendable (ExecContext) throws -> T) throws -> T {
        // Already on a Python thread that holds the lock: run here (waiting would deadlock).
        if let ctx = ExecContext.current, ctx.interpreter === self { return try body(ctx) }
        let carrier = hooks.captureScope?()
        let box = Guarded<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let ticket = lock.reserve()
        do {
            try PythonThreads.shared.run {
                self.lock.acquire(ticket)
                let ctx = ExecContext(interpreter: self, cancel: CancelToken())
                let result = ctx.activate { Result { try ScopeCarrierRunner.run(carrier) { try body(ctx) } } }
                self.lock.release()
                box.withLock { $0 = result }
                done.signal()
            }
        } catch {
            lock.acquire(ticket)
            lock.release()
            throw error
        }
        done.wait()
        guard let r = box.withLock({ $0 }) else { throw PyInterrupt() }
        return try r.get()
    }
}

extension ExecContext {
    /// Whether `v` can be awaited (a coroutine, library work, an asyncio future or task).
    public func isAwaitable(_ v: PyValue) -> Bool {
        guard case .object(let o) = v else { return false }
        switch o {
        case is PyCoroutine, is PyNativeAwaitable, is PyDeferred, is PyGatherFuture: return true
        default: return !o.type.isBuiltin && special(v, "__await__") != nil
        }
    }

    /// Starts awaiting `v` on a new Python thread. A detached task outlives the statement that
    /// started it (Ctrl-C there does not cancel it); its own token cancels it.
    public func startTask(_ v: PyValue, name: String, detached: Bool) throws -> PyTask {
        if let n = v.as(PyNativeAwaitable.self) { n.start(self) }
        return try PyTask.spawn(self, name: name, cancelParent: detached ? nil : cancel) { child in
            child.runningLoop = true
            return try child.await(v)
        }
    }
}

extension ExecContext {
    /// Evaluates one expression in `__main__` (for commands that take an expression).
    public func evaluate(_ source: String) throws -> PyValue {
        let expr = try Parser.parseExpression(source)
        let stmt = Stmt(.expression(expr), expr.position, endLine: expr.position.line)
        let code = try Compiler.compileModule([stmt], filename: "<expression>", interactive: false)
        guard let node = code.body.first as? ExprStmtNode else { throw PyError.runtime("not an expression") }
        let frame = Frame(code: code, ctx: self, globals: interpreter.main.globals)
        return try node.expr.eval(frame)
    }
}
