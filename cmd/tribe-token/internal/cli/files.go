package cli

import "github.com/tribekit/tribekit/internal/safefile"

// checkWritable checks, before anything is spent, that a file can later be
// replaced at path as [replaceFile] and crm.FileStore do.
func checkWritable(path string) error { return safefile.CheckWritable(path) }

// replaceFile replaces the content of the file at path atomically, with mode
// 0600; if path is a symlink, the file it points at is replaced and the link
// stays.
func replaceFile(path, content string) error { return safefile.WriteAtomic(path, []byte(content)) }

// maxRecordFile bounds what is read from a small file of the CLI's own, such
// as the record beside the CRM token file.
const maxRecordFile = 1 << 20

// readBounded reads the file at path, refusing one larger than limit bytes
// without reading it all. Its errors never hold the content.
func readBounded(path string, limit int64) ([]byte, error) { return safefile.ReadBounded(path, limit) }
