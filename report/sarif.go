package report

import (
	"github.com/sessctl/sessctl/audit"
)

// SARIF 2.1.0 (OASIS), the subset sessctl audit -o sarif writes: one run,
// a rule per finding id, a result per finding at the audited URL.
const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	ShortDescription sarifText      `json:"shortDescription"`
	Help             sarifText      `json:"help"`
	Properties       map[string]any `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	RuleIndex  int             `json:"ruleIndex"`
	Level      string          `json:"level"`
	Message    sarifText       `json:"message"`
	Locations  []sarifLocation `json:"locations"`
	Properties map[string]any  `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

// sarifLevel maps a severity to SARIF's levels: critical and high are
// errors, medium warnings, low and info notes.
func sarifLevel(s audit.Severity) string {
	switch s {
	case audit.Critical, audit.High:
		return "error"
	case audit.Medium:
		return "warning"
	}
	return "note"
}

// securitySeverity is GitHub code scanning's security-severity score of a
// severity.
func securitySeverity(s audit.Severity) string {
	switch s {
	case audit.Critical:
		return "9.5"
	case audit.High:
		return "8.0"
	case audit.Medium:
		return "5.5"
	case audit.Low:
		return "3.0"
	}
	return "0.0"
}

// AuditSARIF writes res to s.Out as a SARIF 2.1.0 log (-o sarif), for
// GitHub code scanning and other CI dashboards: a rule per finding id (its
// references as tags, the fix as help), a result per finding located at the
// audited URL, with the evidence in its message and properties.
func AuditSARIF(s *Streams, res *audit.Result, version string) error {
	drv := sarifDriver{Name: "sessctl audit", InformationURI: "https://github.com/sessctl/sessctl", Version: version, Rules: []sarifRule{}}
	index := map[string]int{}
	results := []sarifResult{}
	for _, f := range res.Findings {
		i, ok := index[f.ID]
		if !ok {
			i = len(drv.Rules)
			index[f.ID] = i
			drv.Rules = append(drv.Rules, sarifRule{
				ID: f.ID, ShortDescription: sarifText{f.Title}, Help: sarifText{f.Fix},
				Properties: map[string]any{"tags": append([]string{"security", f.Check}, f.References...), "security-severity": securitySeverity(f.Severity)},
			})
		}
		results = append(results, sarifResult{
			RuleID: f.ID, RuleIndex: i, Level: sarifLevel(f.Severity),
			Message:   sarifText{f.Title + " (" + f.Evidence.Request + ": " + f.Evidence.Detail + ")"},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: res.Target}}}},
			Properties: map[string]any{"severity": f.Severity, "cookie": f.Cookie, "framework": res.Framework,
				"evidence_request": f.Evidence.Request, "evidence_detail": f.Evidence.Detail, "fix": f.Fix},
		})
	}
	return writeJSON(s.Out, sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{{Tool: sarifTool{Driver: drv}, Results: results}}})
}
