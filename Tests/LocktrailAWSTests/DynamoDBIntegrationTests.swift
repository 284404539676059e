import Foundation
import LocktrailAWS
import LocktrailHTTP
import Testing

/// The real curl client, signer and DynamoDB client against the local AWS emulator (moto_server).
@Suite("DynamoDB against moto", .serialized)
struct DynamoDBIntegrationTests {
    static let anyCredentials = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "not-checked-by-default")

    static func client(
        _ moto: MotoServer, credentials: AWSCredentials = anyCredentials, retry: RetryPolicy = RetryPolicy(maxAttempts: 2)
    ) throws -> DynamoDBClient {
        // Resolve the endpoint the way production does: from AWS_ENDPOINT_URL_DYNAMODB.
        let configuration = try AWSConfiguration.resolve(environment: [
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_DYNAMODB": moto.endpoint,
            "AWS_CONFIG_FILE": "/nonexistent/config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
        ])
        return try DynamoDBClient(
            configuration: configuration,
            credentials: StaticCredentialsProvider(credentials),
            transport: CurlHTTPClient(),
            retryPolicy: retry
        )
    }

    @Test("lock-table lifecycle: create, conditional put, get, paged scan, delete, missing table")
    func lifecycle() async throws {
        try await withMoto { moto in
            let dynamo = try Self.client(moto)
            let table = "locks-\(UUID().uuidString.prefix(8))"
            let created = try await dynamo.createTable(table)
            #expect(created.tableName == table)
            #expect(created.keyNames == ["LockID"])
            let described = try await dynamo.describeTable(table)
            #expect(described.tableStatus == "ACTIVE")
            #expect(described.tableARN?.hasSuffix(":table/\(table)") == true)

            // Acquire exactly as Terraform does.
            let lockID = "my-bucket/app/terraform.tfstate"
            let info =
                #"{"ID":"f9763602-b03f-e35c-da30-4083cdbb99ae","Operation":"OperationTypeApply","Info":"","Who":"alice@build-01","Version":"1.11.4","Created":"2025-03-04T05:06:07.123456789Z","Path":"my-bucket/app/terraform.tfstate"}"#
            try await dynamo.putItem(
                table: table,
                item: ["LockID": .string(lockID), "Info": .string(info)],
                conditionExpression: "attribute_not_exists(LockID)"
            )
            // A blocked acquire is a typed error, not a string match.
            let blocked = await #expect(throws: AWSError.self) {
                try await dynamo.putItem(
                    table: table,
                    item: ["LockID": .string(lockID), "Info": .string("other")],
                    conditionExpression: "attribute_not_exists(LockID)"
                )
            }
            #expect(blocked?.code == .conditionalCheckFailed)
            #expect(blocked?.statusCode == 400)

            let item = try await dynamo.getItem(table: table, key: ["LockID": .string(lockID)], projection: ["LockID", "Info"])
            #expect(item?["Info"]?.stringValue == info)
            #expect(try await dynamo.getItem(table: table, key: ["LockID": .string("absent")]) == nil)

            // Digest items plus the lock: 6 items scanned two at a time.
            for index in 0..<5 {
                try await dynamo.putItem(
                    table: table,
                    item: ["LockID": .string("my-bucket/s\(index)/terraform.tfstate-md5"), "Digest": .string("d41d8cd98f00b204e9800998ecf8427e")]
                )
            }
            var pages = 0
            var seen: Set<String> = []
            for try await page in dynamo.scanPages(table: table, pageLimit: 2) {
                pages += 1
                #expect(page.items.count <= 2)
                seen.formUnion(page.items.compactMap { $0["LockID"]?.stringValue })
            }
            #expect(seen.count == 6)
            #expect(pages >= 3)

            // Release as OpenTofu does: conditional on the Info we hold.
            let old = try await dynamo.deleteItem(
                table: table,
                key: ["LockID": .string(lockID)],
                conditionExpression: "Info = :info",
                expressionAttributeValues: [":info": .string(info)],
                returnValues: .allOld
            )
            #expect(old?["Info"]?.stringValue == info)
            #expect(try await dynamo.getItem(table: table, key: ["LockID": .string(lockID)]) == nil)

            // A deleted table must be recognisable on Scan (the collector records it as one event).
            try await dynamo.deleteTable(table)
            let missing = await #expect(throws: AWSError.self) {
                _ = try await dynamo.scan(table: table)
            }
            #expect(missing?.code == .resourceNotFound)
            #expect(missing?.description.contains(table) == true)
        }
    }

    @Test("binary, number, map, list and set attributes round-trip through moto")
    func attributeRoundTrip() async throws {
        try await withMoto { moto in
            let dynamo = try Self.client(moto)
            let table = "attrs"
            try await dynamo.createTable(table)
            let item: DynamoDBItem = [
                "LockID": .string("k"),
                "B": .binary([0, 1, 2, 255]),
                "N": .number("12345678901234567890"),
                "BOOL": .bool(true),
                "NULL": .null,
                "M": .map(["inner": .list([.string("a"), .number("1")])]),
                "SS": .stringSet(["x", "y"]),
            ]
            try await dynamo.putItem(table: table, item: item)
            let read = try await dynamo.getItem(table: table, key: ["LockID": .string("k")])
            #expect(read?["B"] == .binary([0, 1, 2, 255]))
            #expect(read?["N"] == .number("12345678901234567890"))
            #expect(read?["M"] == item["M"])
            #expect(read?["NULL"] == .null)
            if case .stringSet(let values) = read?["SS"] { #expect(Set(values) == ["x", "y"]) } else { Issue.record("SS lost") }
        }
    }
}
