import Testing
@testable import LocktrailServer

@Suite struct OpenAPIDocumentTests {
    @Test func embedded() { #expect(!OpenAPIDocument.bytes.isEmpty) }
}
