#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension StringProtocol {
    /// The first occurrence of `needle`, compared byte for byte in UTF-8: no Unicode equivalence
    /// (unlike Foundation's `range(of:)`, which per-call profiles showed to be slow). Meant for
    /// markers that start with an ASCII character, so a match starts on a character boundary.
    func utf8Range(of needle: String) -> Range<Index>? {
        let bytes = utf8
        let pattern = needle.utf8
        guard !pattern.isEmpty else { return startIndex..<startIndex }
        let offset: Int?? = bytes.withContiguousStorageIfAvailable { haystack -> Int? in
            var needle = needle
            return needle.withUTF8 { pattern in Self.firstOffset(of: pattern, in: haystack) }
        }
        if let offset {
            guard let offset else { return nil }
            let start = bytes.index(bytes.startIndex, offsetBy: offset)
            return start..<bytes.index(start, offsetBy: pattern.count)
        }
        var from = bytes.startIndex
        while let found = bytes[from...].firstIndex(of: pattern[pattern.startIndex]) {
            if bytes[found...].starts(with: pattern) { return found..<bytes.index(found, offsetBy: pattern.count) }
            from = bytes.index(after: found)
        }
        return nil
    }

    /// Where `pattern` first starts in `haystack`: memchr finds each candidate first byte, memcmp checks the rest.
    private static func firstOffset(of pattern: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = haystack.baseAddress, let needle = pattern.baseAddress, pattern.count <= haystack.count else { return nil }
        let last = haystack.count - pattern.count
        var at = 0
        while at <= last {
            guard let hit = memchr(base + at, Int32(needle.pointee), last - at + 1) else { return nil }
            let offset = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + offset, needle, pattern.count) == 0 { return offset }
            at = offset + 1
        }
        return nil
    }

    /// The lines between `\n` bytes (a `\r` before one stays with its line), found byte by byte
    /// rather than character by character: `"\r\n"` is one Character, so a Character split on
    /// `"\n"` would not see it.
    func linesByNewlineByte() -> [SubSequence] {
        let bytes = utf8
        var lines: [SubSequence] = []
        var start = bytes.startIndex
        // By memchr when the text is contiguous UTF-8 (a generic byte loop takes ~2 ns a byte,
        // and a reply can be many kilobytes): one pass counts the lines, so that the list is
        // allocated once, and one collects them.
        let contiguous: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            guard let base = buffer.baseAddress else { return }
            func eachNewline(_ body: (Int) -> Void) {
                var at = 0
                while at < buffer.count, let hit = memchr(base + at, Int32(UInt8(ascii: "\n")), buffer.count - at) {
                    let offset = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    body(offset)
                    at = offset + 1
                }
            }
            var count = 1
            eachNewline { _ in count += 1 }
            lines.reserveCapacity(count)
            var startOffset = 0
            eachNewline { offset in
                let newline = bytes.index(start, offsetBy: offset - startOffset)
                lines.append(self[start..<newline])
                start = bytes.index(after: newline)
                startOffset = offset + 1
            }
        }
        if contiguous == nil {
            while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(self[start..<newline])
                start = bytes.index(after: newline)
            }
        }
        lines.append(self[start...])
        return lines
    }

    /// True when the text holds `byte` (memchr when the text is contiguous UTF-8).
    func containsByte(_ byte: UInt8) -> Bool {
        utf8.withContiguousStorageIfAvailable { buffer in
            guard let base = buffer.baseAddress else { return false }
            return memchr(base, Int32(byte), buffer.count) != nil
        } ?? utf8.contains(byte)
    }
}
