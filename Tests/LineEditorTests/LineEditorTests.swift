import Testing
@testable import LineEditor
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: - Helpers

/// A fresh private directory; removed (recursively) by the caller via `removeTree`.
private func makeTempDir() -> String {
    var template = Array("/tmp/lineeditor-tests-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { $0.baseAddress.flatMap { mkdtemp($0) } }
    #expect(made != nil)
    return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

private func removeTree(_ path: String) {
    guard let dir = opendir(path) else {
        _ = unlink(path)
        return
    }
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name == "." || name == ".." { continue }
        let child = path + "/" + name
        var st = stat()
        if lstat(child, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            removeTree(child)
        } else {
            _ = unlink(child)
        }
    }
    closedir(dir)
    _ = rmdir(path)
}

private func readBytes(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        out += buffer[0..<n]
    }
    return out
}

private func writeBytes(_ path: String, _ bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    #expect(fd >= 0)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

private func mode(_ path: String) -> mode_t {
    var st = stat()
    #expect(stat(path, &st) == 0)
    return st.st_mode & 0o7777
}

private func listDirectory(_ path: String) -> [String] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
}

private let header = HistoryFile.header + "\n"

// MARK: - History file

@Suite struct HistoryFileTests {
    @Test func roundTripsSpecialCharacters() {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let path = dir + "/history"
        let entries = [
            "plain",
            "multi\nline\nstatement",
            "back\\slash and \\n that is not a newline",
            "trailing backslash\\",
            "\\",
            "unicode héllo wörld ✓ 日本語 🚀 e\u{301}",
            "carriage\r\nreturn",
            "tab\there",
            "nul\u{0}byte",
            "#looks like a header",
            HistoryFile.header,
        ]
        let writer = HistoryFile(path: path, maxEntries: 100)
        for entry in entries {
            #expect(writer.append(entry))
        }
        let reader = HistoryFile(path: path, maxEntries: 100)
        #expect(reader.load() == entries)
        #expect(reader.state == .ours)

        // One physical line per record, plus the header.
        let bytes = readBytes(path) ?? []
        #expect(bytes.filter { $0 == UInt8(ascii: "\n") }.count == entries.count + 1)
        #expect(bytes.starts(with: Array(header.utf8)))
    }

    @Test func encodingIsOneLineAndDecodesBack() {
        let entry = "a\\b\nc\rd\u{0}e"
        let encoded = HistoryFile.encode(entry)
        #expect(!encoded.contains(UInt8(ascii: "\n")))
        #expect(String(decoding: encoded, as: UTF8.self) == "a\\\\b\\nc\\rd\\0e")
        #expect(HistoryFile.decode(encoded) == entry)
        #expect(HistoryFile.decode(Array("bad \\q escape".utf8)) == nil)
        #expect(HistoryFile.decode(Array("dangling \\".utf8)) == nil)
        #expect(HistoryFile.decode([0xFF, 0xFE, 0x41]) == nil)
        #expect(HistoryFile.decode([]) == nil)
    }

    @Test func tornLastRecordIsIgnoredAndCutBeforeTheNextAppend() {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let path = dir + "/history"
        writeBytes(path, Array((header + "first\nsecond\\nline\nhalf-writ").utf8))

        let store = HistoryFile(path: path, maxEntries: 100)
        #expect(store.load() == ["first", "second\nline"])
        #expect(store.append("third"))
        #expect(readBytes(path) == Array((header + "first\nsecond\\nline\nthird\n").utf8))

        let again = HistoryFile(path: path, maxEntries: 100)
        #expect(again.load() == ["first", "second\nline", "third"])
    }

    @Test func tornHeaderIsRepaired() {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let path = dir + "/history"
        writeBytes(path, Array(HistoryFile.header.utf8.prefix(7)))
        let store = HistoryFile(path: path, maxEntries: 10)
        #expect(store.load() == [])
        #expect(store.append("x"))
        #expect(readBytes(path) == Array((header + "x\n").utf8))
    }

    @Test func consecutiveDuplicatesAreStoredOnce() {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let path = dir + "/history"
        let store = HistoryFile(path: path, maxEntries: 100)
        #expect(store.append("a"))
        #expect(!store.append("a"))
        #expect(store.append("b"))
        #expect(store.append("a"))
        #expect(!store.append(""))
        #expect(readBytes(path) == Array((header + "a\nb\na\n").utf8))

        // Also across a restart: the last loaded entry counts.
        let reopened = HistoryFile(path: path, maxEntries: 100)
        #expect(reopened.load() == ["a", "b", "a"])
        #expect(!reopened.append("a"))
        #expect(reopened.append("c"))
        #expect(reopened.recordCount == 4)
    }

    @Test func compactionKeepsTheNewestMaxEntries() {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let path = dir + "/history"
        let store = HistoryFile(path: path, maxEntries: 3)
        for i in 1...6 {
            #expect(store.append("entry \(i)"))
        }
        // 6 records = 2 × maxEntries: not compacted yet.
        #expect(store.recordCount == 6)
        #expect(store.append("entry 7"))
        // The 7th record crossed the limit: rewritten with the newest 3.
        #expect(store.recordCount == 3)
        #expect(readBytes(path) == Array((header + "entry 5\nentry 6\nentry 7\n").utf8))
        #expect(listDirectory(dir) == ["history"])  // no temporary file left behind
        #expect(mode(path) == 0o600)

        let reader = HistoryFile(path: path, maxEntries: 3)
        #expect(reader.load() == ["entry 5", "entry 6", "entry 7"])
    }

    @Test func loadReturnsOnlyTheNewestMaxEntries() {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let path = dir + "/history"
        writeBytes(path, Array((header + (1...10).map { "e\($0)\n" }.joined()).utf8))
        let store = HistoryFile(path: path, maxEntries: 4)
        #expect(store.load() == ["e7", "e8", "e9", "e10"])
        #expect(store.recordCount == 10)
        // The file already holds more than 2 × 4 records: the next append compacts it.
        #expect(store.append("e11"))
        #expect(readBytes(path) == Array((header + "e8\ne9\ne10\ne11\n").utf8))
    }

    @Test func createsMissingDirectoriesAndFileWithPrivatePermissions() {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let path = dir + "/a/b/history"
        let store = HistoryFile(path: path, maxEntries: 10)
        #expect(store.load() == [])
        #expect(store.state == .missing)
        #expect(listDirectory(dir) == [])  // loading creates nothing
        #expect(store.append("hello"))
        #expect(mode(dir + "/a") == 0o700)
        #expect(mode(dir + "/a/b") == 0o700)
        #expect(mode(path) == 0o600)
    }

    @Test func badRecordsAreSkipped() {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let path = dir + "/history"
        var bytes = Array((header + "good\n").utf8)
        bytes += [0xFF, 0xFE, 0x80, UInt8(ascii: "\n")]  // invalid UTF-8
        bytes += Array("bad \\q escape\n".utf8)
        bytes += Array("dangling\\\n".utf8)
        bytes += Array("\n\n".utf8)  // empty records
        bytes += Array("ok ✓\n".utf8)
        writeBytes(path, bytes)
        let store = HistoryFile(path: path, maxEntries: 10)
        #expect(store.load() == ["good", "ok ✓"])
    }

    @Test func foreignOrGarbageFileIsKeptAsideThenReplaced() {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let path = dir + "/history"
        let notes = Array("_HiStOrY_V2_\nhello\\040world\n".utf8)
        writeBytes(path, notes)
        let store = HistoryFile(path: path, maxEntries: 10)
        #expect(store.load() == [])
        #expect(store.state == .foreign)
        #expect(store.takeNotices().isEmpty, "nothing happened to the file yet")
        #expect(store.append("new"))
        #expect(readBytes(path) == Array((header + "new\n").utf8))
        // The original is kept, byte for byte, and the user is told where.
        #expect(readBytes(path + ".not-dspy-history") == notes)
        #expect(
            store.takeNotices() == [
                "The history file \(path) was not a dspy-repl history; it was kept as \(path).not-dspy-history and a new history was started."
            ])
        #expect(store.takeNotices().isEmpty, "each notice is given once")
        #expect(store.append("more"))
        #expect(readBytes(path) == Array((header + "new\nmore\n").utf8))

        var garbage: [UInt8] = []
        var seed: UInt32 = 12345
        for _ in 0..<5000 {
            seed = seed &* 1_103_515_245 &+ 12345
            garbage.append(UInt8(truncatingIfNeeded: seed >> 16))
        }
        writeBytes(path, garbage)
        let other = HistoryFile(path: path, maxEntries: 10)
        #expect(other.load() == [])
        #expect(other.append("fresh"))
        let check = HistoryFile(path: path, maxEntries: 10)
        #expect(check.load() == ["fresh"])
        // The first kept file is not overwritten: the second one gets the next free name.
        #expect(readBytes(path + ".not-dspy-history") == notes)
        #expect(readBytes(path + ".not-dspy-history.1") == garbage)
        #expect(other.takeNotices().first?.contains("kept as \(path).not-dspy-history.1") == true)
    }

    @Test func aFileThatTurnsForeignAfterLoadingIsStillKept() {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let path = dir + "/history"
        let store = HistoryFile(path: path, maxEntries: 10)
        #expect(store.append("mine"))
        // Another program writes its own file there meanwhile.
        writeBytes(path, Array("my notes, not history\n".utf8))
        #expect(store.append("next"))
        #expect(readBytes(path + ".not-dspy-history") == Array("my notes, not history\n".utf8))
        #expect(readBytes(path) == Array((header + "next\n").utf8))
        #expect(store.takeNotices().count == 1)
    }

    @Test func unusablePathsDoNotCrash() {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        // A directory where the file should be.
        _ = mkdir(dir + "/history", 0o700)
        let store = HistoryFile(path: dir + "/history", maxEntries: 10)
        #expect(store.load() == [])
        #expect(!store.append("x"))
        // A regular file where a directory should be.
        writeBytes(dir + "/file", [])
        let nested = HistoryFile(path: dir + "/file/history", maxEntries: 10)
        #expect(nested.load() == [])
        #expect(!nested.append("x"))
        // History disabled.
        let disabled = HistoryFile(path: dir + "/none", maxEntries: 0)
        #expect(!disabled.append("x"))
        #expect(!listDirectory(dir).contains("none"))
    }
}

// MARK: - Pure text helpers

@Suite struct TextLayoutTests {
    @Test func longestCommonPrefix() {
        #expect(TextLayout.longestCommonPrefix([]) == "")
        #expect(TextLayout.longestCommonPrefix(["alone"]) == "alone")
        #expect(TextLayout.longestCommonPrefix(["predict", "program", "print"]) == "pr")
        #expect(TextLayout.longestCommonPrefix(["configure", "context"]) == "con")
        #expect(TextLayout.longestCommonPrefix(["abc", "abc"]) == "abc")
        #expect(TextLayout.longestCommonPrefix(["abc", "ab", "abd"]) == "ab")
        #expect(TextLayout.longestCommonPrefix(["x", "y"]) == "")
        #expect(TextLayout.longestCommonPrefix(["", "abc"]) == "")
        #expect(TextLayout.longestCommonPrefix(["héllo", "hélp"]) == "hél")
        // Compared by Character: a combining accent is never split off its base letter.
        #expect(TextLayout.longestCommonPrefix(["e\u{301}x", "e\u{301}y"]) == "e\u{301}")
        #expect(TextLayout.longestCommonPrefix(["e\u{301}", "ex"]) == "")
    }

    @Test func columnLayoutFitsOneLine() {
        #expect(
            TextLayout.columnLayout(["predict", "program", "print"], width: 60)
                == ["predict  program  print"])
        #expect(TextLayout.columnLayout([], width: 80) == [])
    }

    @Test func columnLayoutIsColumnMajor() {
        let items = (1...10).map { "item\($0)" }  // widest is 6, cell 8
        // (20 + 2) / 8 = 2 columns, 5 rows.
        #expect(
            TextLayout.columnLayout(items, width: 20) == [
                "item1   item6",
                "item2   item7",
                "item3   item8",
                "item4   item9",
                "item5   item10",
            ])
        // (30 + 2) / 8 = 4 columns, 3 rows; the last column is partly empty.
        #expect(
            TextLayout.columnLayout(items, width: 30) == [
                "item1   item4   item7   item10",
                "item2   item5   item8",
                "item3   item6   item9",
            ])
    }

    @Test func columnLayoutFallsBackToOneColumn() {
        #expect(
            TextLayout.columnLayout(["a-long-candidate", "another-long-one"], width: 10)
                == ["a-long-candidate", "another-long-one"])
        #expect(TextLayout.columnLayout(["x"], width: 0) == ["x"])
    }

    @Test func columnLayoutLinesFitTheWidth() {
        let items = [
            "predict", "program", "print", "quit", "configure", "context", "inspect_history",
            "ChainOfThought", "Signature", "Example", "x",
        ]
        for width in [20, 40, 60, 80, 100] {
            let lines = TextLayout.columnLayout(items, width: width)
            for line in lines {
                #expect(line.count <= width || !line.contains(" "))
                #expect(!line.hasSuffix(" "))
            }
            let listed = lines.flatMap { $0.split(separator: " ").map(String.init) }
            #expect(Set(listed) == Set(items))
        }
    }

    @Test func bracketsAnsiEscapesInPrompts() {
        let prompt = "\u{1B}[1;32mdspy\u{1B}[0m> "
        let bracketed = TextLayout.bracketEscapes(prompt)
        #expect(bracketed == "\u{1}\u{1B}[1;32m\u{1}dspy\u{1}\u{1B}[0m\u{1}> ")
        #expect(TextLayout.promptGeometry(bracketed, columns: 80) == (0, 6))

        // Adjacent sequences share one bracket; OSC (window title) ends at BEL.
        let fancy = "\u{1B}]0;title\u{7}\u{1B}[1m\u{1B}[34m>>> \u{1B}[0m"
        #expect(
            TextLayout.bracketEscapes(fancy)
                == "\u{1}\u{1B}]0;title\u{7}\u{1B}[1m\u{1B}[34m\u{1}>>> \u{1}\u{1B}[0m\u{1}")
        #expect(TextLayout.promptGeometry(TextLayout.bracketEscapes(fancy), columns: 80) == (0, 4))

        #expect(TextLayout.bracketEscapes("dspy> ") == "dspy> ")
        let preBracketed = "\u{1}\u{1B}[31m\u{1}x> "
        #expect(TextLayout.bracketEscapes(preBracketed) == preBracketed)
    }

    @Test func promptGeometryCountsEarlierLines() {
        let geometry = TextLayout.promptGeometry("model: gpt\n\u{1}\u{1B}[1m\u{1}> ", columns: 4)
        #expect(geometry == (3, 2))  // "model: gpt" wraps to 3 rows at width 4
    }
}

// MARK: - Editor modes

@Suite struct LineEditorModeTests {
    @Test func lineEditingOnlyOnTwoTerminalsWithARealTerm() {
        #expect(LineEditor.wantsLineEditing(stdinIsTTY: true, stdoutIsTTY: true, term: "xterm-256color"))
        #expect(!LineEditor.wantsLineEditing(stdinIsTTY: false, stdoutIsTTY: true, term: "xterm"))
        #expect(!LineEditor.wantsLineEditing(stdinIsTTY: true, stdoutIsTTY: false, term: "xterm"))
        #expect(!LineEditor.wantsLineEditing(stdinIsTTY: true, stdoutIsTTY: true, term: "dumb"))
        #expect(!LineEditor.wantsLineEditing(stdinIsTTY: true, stdoutIsTTY: true, term: nil))
        #expect(!LineEditor.wantsLineEditing(stdinIsTTY: true, stdoutIsTTY: true, term: ""))
    }

    @Test(.enabled(if: isatty(0) == 0, "stdin of the test process must not be a terminal"))
    func plainModeWhenStdinIsNotATerminal() {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        let editor = LineEditor(historyFile: dir + "/history")
        #expect(!editor.isInteractive)
        editor.addToHistory("not persisted in plain mode")
        #expect(listDirectory(dir) == [])
    }

    @Test func plainModeReadsLinesWithoutPromptOrHistoryFile() {
        let dir = makeTempDir()
        defer { removeTree(dir) }
        final class Feed: @unchecked Sendable {  // only touched by the editor's (serialized) reads
            var lines: [String?] = ["first", "", "third ✓", nil]
        }
        let feed = Feed()
        let editor = LineEditor(
            programName: "test", historyFile: dir + "/history", maxHistory: 10, interactive: false,
            plainWaitsOnTerminal: false, plainReader: { feed.lines.isEmpty ? nil : feed.lines.removeFirst() })
        #expect(!editor.isInteractive)
        #expect(editor.readLine(prompt: "\u{1B}[32mdspy\u{1B}[0m> ") == .line("first"))
        editor.addToHistory("first")
        #expect(editor.readLine(prompt: "> ") == .line(""))
        #expect(editor.readLine(prompt: "> ") == .line("third ✓"))
        #expect(editor.readLine(prompt: "> ") == .endOfInput)
        #expect(editor.readLine(prompt: "> ") == .endOfInput)
        #expect(listDirectory(dir) == [])
    }

    @Test func completerCanBeSetAndCleared() {
        let editor = LineEditor(
            programName: "test", historyFile: nil, maxHistory: 10, interactive: false,
            plainWaitsOnTerminal: false, plainReader: { nil })
        #expect(editor.completer == nil)
        editor.completer = { before in Completion(replacing: before.count, candidates: [before + "!"]) }
        #expect(editor.completer?("hi") == Completion(replacing: 2, candidates: ["hi!"]))
        editor.completer = nil
        #expect(editor.completer == nil)
    }

    @Test func sigintIsCountedNotFatal() {
        LineEditor.installSignalHandlers()
        LineEditor.installSignalHandlers()  // idempotent
        let before = LineEditor.interruptCount
        // Process-directed, like the terminal's Ctrl-C: the kernel picks a thread that does not
        // block SIGINT (Dispatch worker threads, where tests run, block it).
        #expect(kill(getpid(), SIGINT) == 0)
        #expect(kill(getpid(), SIGWINCH) == 0)
        var waited = 0
        while LineEditor.interruptCount == before && waited < 200 {
            usleep(5_000)
            waited += 1
        }
        #expect(LineEditor.interruptCount == before + 1)
    }
}

@Suite struct PastedTextTests {
    @Test func lineEndsTabsAndControlCharacters() {
        #expect(TextLayout.pastedText("a\r\nb\rc\n") == "a\nb\nc\n")
        #expect(TextLayout.pastedText("if x:\n\treturn 1") == "if x:\n        return 1")
        #expect(TextLayout.pastedText("ab\tc") == "ab      c")  // to the next 8-column stop
        #expect(TextLayout.pastedText("x\u{01}\u{1B}y\u{7F}") == "xy")
        #expect(TextLayout.pastedText("naïve → ok") == "naïve → ok")
    }
}
