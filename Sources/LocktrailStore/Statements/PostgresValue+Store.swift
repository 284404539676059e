package import LocktrailCore
package import LocktrailPostgres

extension PostgresValue {
    /// A `timestamptz` value as RFC 3339 text, NULL when nil.
    package static func timestamp(_ t: Timestamp?) -> PostgresValue { .string(t?.rfc3339) }

    /// A keyset position of a list of holds: after (`sort_at`, `lock_id`); the start when nil.
    package static func position(_ cursor: PageCursor?) -> (sortAt: PostgresValue, lockID: PostgresValue) {
        guard let cursor else { return (.string("-infinity"), .string("")) }
        return (.timestamp(cursor.sortAt), .string(cursor.lockID))
    }
}
