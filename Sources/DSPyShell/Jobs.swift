import DSPy
import Foundation
import PythonInterpreter

/// A background job: an awaitable started by a top-level statement without `await`
/// (`t = qa.acall(question=...)` prints `[1] started`); `await t` waits for it.
final class Job: Sendable {
    enum Status: Sendable { case running, done(String), failed(String), cancelled }
    let id: Int
    let text: String
    let started = ContinuousClock.now
    let task: PyTask
    private let state = Locked<(status: Status, awaited: Bool, finished: ContinuousClock.Instant?)>((.running, false, nil))

    init(id: Int, text: String, task: PyTask) {
        self.id = id
        self.text = text
        self.task = task
    }

    var status: Status { state.withLock { $0.status } }
    var isRunning: Bool { if case .running = status { return true }; return false }

    /// Marks the job as waited for, so its end is not announced separately.
    func markAwaited() { state.withLock { $0.awaited = true } }

    /// Records the outcome; returns true when nobody waits for it (so it should be announced).
    func finish(_ status: Status) -> Bool {
        state.withLock { s in
            s.status = status
            s.finished = .now
            return !s.awaited
        }
    }

    /// How the job ended, in a word or two: `done`, `failed`, `cancelled` (or `running`).
    var outcome: String {
        switch status {
        case .running: return task.isDone ? "finishing" : "running"
        case .done: return "done"
        case .failed: return "failed"
        case .cancelled: return "cancelled"
        }
    }

    var elapsed: Duration { (state.withLock { $0.finished } ?? .now) - started }

    var summary: String {
        let secs = String(format: "%.1fs", elapsed.seconds)
        switch status {
        case .running: return "[\(id)] running  \(text)  (\(secs))"
        case .done: return "[\(id)] done     \(text)  (\(secs))"
        case .failed(let e): return "[\(id)] failed   \(text)  (\(secs)): \(e)"
        case .cancelled: return "[\(id)] cancelled  \(text)"
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// The Python side of a job.
final class JobObject: PyNativeObject<Job>, @unchecked Sendable {
    // Sendable proof: as every Python object, touched only under the interpreter lock.
    init(_ job: Job) { super.init(type: DSPyTypes.job, payload: job) }
}

enum JobBinding {
    static func job(_ v: PyValue) throws -> Job {
        guard let j = v.as(JobObject.self) else { throw PyError.type("expected a job") }
        return j.payload
    }

    static func install(_ t: PyType) {
        t.doc = "A background job started by a top-level call without await: await it, or use %wait, %jobs, %cancel."
        t.property("id", get: { _, me in .int(try job(me).id) })
        // The rest of asyncio.Task's interface (done(), cancelled(), exception(),
        // add_done_callback(), get_name()) comes from the task the job runs.
        t.native.getAttribute = { ctx, me, name in
            guard let j = me.as(JobObject.self) else { return nil }
            return try ctx.getAttr(.object(j.payload.task), name)
        }
        t.method("result", "result()", doc: "Wait for the job and return its value (Ctrl-C stops the wait, not the job).") { ctx, me, _ in
            try wait(ctx, try job(me))
        }
        t.method("cancel", "cancel()", doc: "Cancel the job, down to its HTTP requests.") { _, me, _ in
            _ = try job(me).task.requestCancel()
            return .none
        }
        t.method("__repr__") { _, me, _ in .str(try job(me).summary) }
    }

    /// Waits for a job (Ctrl-C stops the wait, not the job).
    static func wait(_ ctx: ExecContext, _ j: Job) throws -> PyValue {
        j.markAwaited()
        try ctx.shell.dropAnnouncement(of: j.id)
        do {
            return try j.task.wait(ctx)
        } catch is PyInterrupt {
            ctx.interpreter.hooks.writeError("note: job [\(j.id)] goes on in the background (%jobs, %wait \(j.id), %cancel \(j.id))\n")
            throw PyInterrupt()
        }
    }
}
