import Testing
@testable import PythonInterpreter

@Test func placeholderCompiles() {}
