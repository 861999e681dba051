package web

// Exported for the tests of package web_test.
var (
	AuditSentence   = auditSentence
	AuditActionName = auditActionName
)
