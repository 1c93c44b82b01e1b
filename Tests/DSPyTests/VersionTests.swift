import Testing
@testable import DSPy
@Test func version() { #expect(!DSPyVersion.string.isEmpty) }
