#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Append-only, crash-tolerant history file.
///
/// Format (UTF-8): a header line `#dspy-repl history v1`, then one record per line. In a record a
/// backslash is written `\\`, a newline `\n`, a carriage return `\r` and NUL `\0`; every other
/// byte is literal. Each `append` writes one whole record with a single O_APPEND write followed
/// by fsync, so a crash can at most leave a torn last line (no trailing newline), which the
/// loader ignores and the next append cuts off. Records that do not decode (bad escape, invalid
/// UTF-8, empty) are skipped. When the file holds more than 2 × `maxEntries` records it is
/// rewritten with the newest `maxEntries` into a temporary file that is fsynced and renamed over
/// the original, so readers see either the old or the new file. Appends and rewrites hold an
/// exclusive `flock`, so several processes can share one file. A file in another format is
/// never overwritten: it is kept beside the new one (``takeNotices()`` says where).
///
/// Not thread-safe: one instance is used by one thread at a time (``LineEditor`` serializes).
public final class HistoryFile {
    /// The first line of every history file in this format.
    public static let header = "#dspy-repl history v1"
    /// Files bigger than this are only read from their tail (plus the header line).
    static let maxReadBytes = 64 << 20

    enum FileState: Equatable {
        /// Missing or empty: the header is written with the first record.
        case missing
        /// Starts with our header.
        case ours
        /// Exists but is not ours (or is garbage): ignored, and replaced on the first append.
        case foreign
        /// Not a regular file, or unreadable: left alone, nothing is written.
        case unusable
    }

    struct Parsed: Equatable {
        var state: FileState
        var entries: [String]
        /// The file did not end with a newline (crash mid-write).
        var tornTail: Bool
    }

    let path: String
    let maxEntries: Int
    private(set) var state: FileState = .missing
    /// Records in the file, as far as this process knows (drives compaction).
    private(set) var recordCount = 0
    /// The file (device, inode) and size after this process's last write: when another process
    /// appended or compacted since, `recordCount` is counted again before the next append.
    private var lastWritten: (device: UInt64, inode: UInt64, size: Int)?
    /// The newest entry loaded or appended, to skip consecutive duplicates.
    private(set) var lastEntry: String?

    /// A history at `path` keeping at most `maxEntries` entries (0 disables it). Nothing is
    /// read or created until ``load()`` or ``append(_:)``.
    public init(path: String, maxEntries: Int) {
        self.path = path
        self.maxEntries = max(0, maxEntries)
    }

    // MARK: - Encoding

    static func encode(_ entry: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(entry.utf8.count + 8)
        for byte in entry.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0: out += [UInt8(ascii: "\\"), UInt8(ascii: "0")]
            default: out.append(byte)
            }
        }
        return out
    }

    /// Decodes one record (without its newline); nil when it is malformed or empty.
    static func decode(_ record: some Collection<UInt8>) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(record.count)
        var escaped = false
        for byte in record {
            if escaped {
                switch byte {
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "n"): bytes.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "r"): bytes.append(UInt8(ascii: "\r"))
                case UInt8(ascii: "0"): bytes.append(0)
                default: return nil
                }
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\n") {
                return nil
            } else {
                bytes.append(byte)
            }
        }
        guard !escaped, !bytes.isEmpty else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Parses a whole file image. `isTail` means the bytes start somewhere inside the file, so
    /// the first (partial) line is dropped and the header is not expected.
    static func parse(_ data: [UInt8], isTail: Bool = false, headerOK: Bool? = nil) -> Parsed {
        if data.isEmpty { return Parsed(state: .missing, entries: [], tornTail: false) }
        let newline = UInt8(ascii: "\n")
        var lines = data.split(separator: newline, omittingEmptySubsequences: false)
        // split() yields a trailing empty piece when the data ends with "\n"; otherwise the last
        // piece is a torn record.
        let torn = data.last != newline
        lines.removeLast()
        var state = FileState.ours
        if isTail {
            if !lines.isEmpty { lines.removeFirst() }
            if headerOK == false { state = .foreign }
        } else {
            guard let first = lines.first, first.elementsEqual(header.utf8) else {
                // Also covers a file that is only a torn header.
                let onlyTornHeader = lines.isEmpty && header.utf8.starts(with: data)
                return Parsed(state: onlyTornHeader ? .missing : .foreign, entries: [], tornTail: torn)
            }
            lines.removeFirst()
        }
        if state == .foreign { return Parsed(state: .foreign, entries: [], tornTail: torn) }
        var entries: [String] = []
        entries.reserveCapacity(lines.count)
        for line in lines {
            guard let entry = decode(line) else { continue }
            if entry == entries.last { continue }
            entries.append(entry)
        }
        return Parsed(state: state, entries: entries, tornTail: torn)
    }

    // MARK: - Reading

    /// Reads and parses the file; never throws, a missing file is `.missing`.
    func read() -> Parsed {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            return Parsed(state: errno == ENOENT ? .missing : .unusable, entries: [], tornTail: false)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            return Parsed(state: .unusable, entries: [], tornTail: false)
        }
        let size = Int(st.st_size)
        if size <= Self.maxReadBytes {
            guard let data = Self.readAll(fd: fd, from: 0, count: size) else {
                return Parsed(state: .unusable, entries: [], tornTail: false)
            }
            return Self.parse(data)
        }
        let headerBytes = Self.readAll(fd: fd, from: 0, count: Self.header.utf8.count + 1) ?? []
        let headerOK = headerBytes.elementsEqual(Array(Self.header.utf8) + [UInt8(ascii: "\n")])
        guard let tail = Self.readAll(fd: fd, from: size - Self.maxReadBytes, count: Self.maxReadBytes) else {
            return Parsed(state: .unusable, entries: [], tornTail: false)
        }
        return Self.parse(tail, isTail: true, headerOK: headerOK)
    }

    private static func readAll(fd: Int32, from offset: Int, count: Int) -> [UInt8]? {
        var data = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = data.withUnsafeMutableBytes { buf -> Int in
                guard let base = buf.baseAddress else { return 0 }
                return pread(fd, base + done, count - done, off_t(offset + done))
            }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }  // file shrank meanwhile
            done += n
        }
        data.removeSubrange(done...)
        return data
    }

    /// Loads the file and returns the newest `maxEntries` entries, oldest first.
    public func load() -> [String] {
        let parsed = read()
        state = parsed.state
        recordCount = parsed.entries.count
        lastEntry = parsed.entries.last
        return Array(parsed.entries.suffix(maxEntries))
    }

    // MARK: - Writing

    /// Appends one entry durably. Returns false when nothing was written (empty entry,
    /// consecutive duplicate, history disabled, or an I/O problem).
    ///
    /// Several processes may append to one file at once: each append (and each compaction)
    /// holds an exclusive `flock` on the file, re-opening it if another process replaced it
    /// meanwhile, so no acknowledged line is lost to a concurrent rewrite. A file that is not a
    /// dspy-repl history is kept under another name (see ``notices``) before a new one starts.
    @discardableResult
    public func append(_ entry: String) -> Bool {
        guard maxEntries > 0, !entry.isEmpty, entry != lastEntry, state != .unusable else { return false }
        guard Self.makeDirectories(forFile: path) else { return false }
        guard let locked = openLocked() else { return false }
        defer { close(locked.fd) }
        guard (locked.stat.st_mode & S_IFMT) == S_IFREG else {
            state = .unusable
            notice("The history file \(path) is not a regular file; this session's history is not saved.")
            return false
        }
        var size = Int(locked.stat.st_size)
        if size > 0 {
            let headerLine = Array(Self.header.utf8) + [UInt8(ascii: "\n")]
            let start = Self.readAll(fd: locked.fd, from: 0, count: min(size, headerLine.count)) ?? []
            if !headerLine.starts(with: start) || (start.count < headerLine.count && size > start.count) {
                // Not ours (a user's notes, another tool's history): keep it, start anew.
                return replaceForeign(with: entry)
            }
        }
        var record: [UInt8] = []
        if size > 0 && !Self.endsWithNewline(fd: locked.fd, size: size) {
            // A process died mid-record (or mid-header): cut the torn tail off before appending.
            guard let cut = Self.lengthWithoutTornTail(fd: locked.fd, size: size), ftruncate(locked.fd, off_t(cut)) == 0 else { return false }
            size = cut
        }
        if size == 0 {
            record += Array(Self.header.utf8) + [UInt8(ascii: "\n")]
        }
        record += Self.encode(entry)
        record.append(UInt8(ascii: "\n"))
        let device = UInt64(locked.stat.st_dev), inode = UInt64(locked.stat.st_ino)
        if size > 0, lastWritten.map({ $0.device != device || $0.inode != inode || $0.size != size }) ?? true {
            // Another process wrote since: count what is there (under the lock), so two shells
            // together keep the file within its bound too.
            recordCount = read().entries.count
        }
        guard Self.writeAll(fd: locked.fd, record), fsync(locked.fd) == 0 || errno == EINVAL else { return false }

        state = .ours
        lastWritten = (device, inode, size + record.count)
        recordCount += 1
        lastEntry = entry
        if recordCount > 2 * maxEntries {
            compact()  // still under the lock
        }
        return true
    }

    /// Things the user should be told about the file (it was not ours and was kept aside, it
    /// cannot be written), oldest first; reading them empties the list.
    public func takeNotices() -> [String] {
        defer { pendingNotices = [] }
        return pendingNotices
    }

    private var pendingNotices: [String] = []

    private func notice(_ text: String) { pendingNotices.append(text) }

    /// The file, opened for appending and reading and locked exclusively; `nil` on failure.
    /// When another process renamed a new file over the path while this one waited for the
    /// lock, the new file is opened and locked instead.
    private func openLocked() -> (fd: Int32, stat: stat)? {
        for _ in 0..<100 {
            var fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NONBLOCK, 0o600)
            if fd >= 0 {
                _ = fchmod(fd, 0o600)
            } else if errno == EEXIST {
                fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC | O_NONBLOCK)
            }
            guard fd >= 0 else { return nil }
            var st = stat()
            guard fstat(fd, &st) == 0 else { close(fd); return nil }
            // Not a regular file (a FIFO, a directory): never block on a lock for it.
            if (st.st_mode & S_IFMT) != S_IFREG { return (fd, st) }
            while flock(fd, LOCK_EX) != 0 {
                if errno != EINTR { close(fd); return nil }
            }
            var current = stat()
            guard fstat(fd, &st) == 0 else { close(fd); return nil }
            if stat(path, &current) == 0 && current.st_dev == st.st_dev && current.st_ino == st.st_ino {
                return (fd, st)
            }
            close(fd)  // replaced (compacted) meanwhile: lock the new file
        }
        return nil
    }

    /// Keeps the existing (foreign) file under a free name beside it (`history.not-dspy-history`,
    /// then `.1`, `.2`, ...) and starts a new history holding `entry`. The caller holds the lock.
    private func replaceForeign(with entry: String) -> Bool {
        guard let aside = Self.keepAside(path) else {
            state = .unusable
            notice(
                "The history file \(path) is not a dspy-repl history and could not be kept under another name; this session's history is not saved there."
            )
            return false
        }
        guard rewrite(with: [entry]) else { return false }
        notice("The history file \(path) was not a dspy-repl history; it was kept as \(aside) and a new history was started.")
        return true
    }

    /// Links `path` to the first free `path.not-dspy-history[.N]` name; returns that name.
    static func keepAside(_ path: String) -> String? {
        for n in 0..<1000 {
            let candidate = path + ".not-dspy-history" + (n == 0 ? "" : ".\(n)")
            if link(path, candidate) == 0 { return candidate }
            if errno == EEXIST { continue }
            // No hard links here (some file systems): move it instead, if the name is free.
            var st = stat()
            if stat(candidate, &st) == 0 { continue }
            return rename(path, candidate) == 0 ? candidate : nil
        }
        return nil
    }

    /// Rewrites the file with its newest `maxEntries` records (atomic rename). Appends call it
    /// while holding the file's lock.
    func compact() {
        let parsed = read()
        guard parsed.state == .ours || parsed.state == .missing else { return }
        _ = rewrite(with: parsed.entries)
    }

    /// Atomically replaces the file with a header plus the newest `maxEntries` of `entries`.
    @discardableResult
    func rewrite(with entries: [String]) -> Bool {
        guard Self.makeDirectories(forFile: path) else { return false }
        let kept = Array(entries.suffix(maxEntries))
        var data = Array(Self.header.utf8) + [UInt8(ascii: "\n")]
        for entry in kept where !entry.isEmpty {
            data += Self.encode(entry)
            data.append(UInt8(ascii: "\n"))
        }
        let tmp = "\(path).tmp.\(getpid())"
        _ = unlink(tmp)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        _ = fchmod(fd, 0o600)
        let written = Self.writeAll(fd: fd, data) && fsync(fd) == 0
        close(fd)
        guard written, rename(tmp, path) == 0 else {
            _ = unlink(tmp)
            return false
        }
        Self.syncDirectory(of: path)
        state = .ours
        recordCount = kept.count
        var replaced = stat()
        if stat(path, &replaced) == 0 { lastWritten = (UInt64(replaced.st_dev), UInt64(replaced.st_ino), Int(replaced.st_size)) }
        lastEntry = kept.last
        return true
    }

    // MARK: - File-system helpers

    private static func writeAll(fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { buf -> Int in
                guard let base = buf.baseAddress else { return 0 }
                return write(fd, base + done, bytes.count - done)
            }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return false
            }
            done += n
        }
        return true
    }

    private static func endsWithNewline(fd: Int32, size: Int) -> Bool {
        readAll(fd: fd, from: size - 1, count: 1) == [UInt8(ascii: "\n")]
    }

    /// Length of the file up to and including its last newline (0 when it has none).
    private static func lengthWithoutTornTail(fd: Int32, size: Int) -> Int? {
        var end = size
        let chunk = 4096
        while end > 0 {
            let start = max(0, end - chunk)
            guard let bytes = readAll(fd: fd, from: start, count: end - start) else { return nil }
            if let index = bytes.lastIndex(of: UInt8(ascii: "\n")) {
                return start + index + 1
            }
            end = start
        }
        return 0
    }

    /// `mkdir -p` of the file's parent, creating missing directories with mode 0700.
    static func makeDirectories(forFile file: String) -> Bool {
        guard let slash = file.lastIndex(of: "/") else { return true }
        let dir = String(file[..<slash])
        if dir.isEmpty { return true }
        var st = stat()
        if stat(dir, &st) == 0 { return (st.st_mode & S_IFMT) == S_IFDIR }
        var current = dir.hasPrefix("/") ? "" : "."
        for component in dir.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + component
            if mkdir(current, 0o700) != 0 && errno != EEXIST { return false }
        }
        return stat(dir, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    private static func syncDirectory(of file: String) {
        let dir: String
        if let slash = file.lastIndex(of: "/") {
            dir = slash == file.startIndex ? "/" : String(file[..<slash])
        } else {
            dir = "."
        }
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
