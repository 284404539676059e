import LocktrailCore

/// How a snapshot entry is kept in `source_items` (`kind`, `value`): the format of every
/// existing database, decoded into the typed entry here and nowhere else.
extension SnapshotEntry {
    /// The entry stored as `kind` and `value`; nil for a kind this version does not know.
    init?(storedKind kind: String, value: String) {
        switch SnapshotEntry.Kind(rawValue: kind) {
        case .lock?: self = .lock(info: value)
        case .digest?: self = .digest(value)
        case .other?: self = .other(fingerprint: value)
        case .state?: self = .state(etag: value)
        case .deleteMarker?: self = .deleteMarker
        case .lockFile?:
            // "<etag>\n<body>": ETags never contain a newline.
            guard let newline = value.firstIndex(of: "\n") else {
                self = .lockFile(LockFileSnapshot(etag: value, text: ""))
                return
            }
            self = .lockFile(LockFileSnapshot(etag: String(value[..<newline]), text: String(value[value.index(after: newline)...])))
        case nil: return nil
        }
    }

    /// The `value` column.
    var storedValue: String {
        switch self {
        case .lock(let info): info
        case .digest(let digest): digest
        case .other(let fingerprint): fingerprint
        case .state(let etag): etag
        case .deleteMarker: ""
        case .lockFile(let file): file.etag + "\n" + file.text
        }
    }
}
