package catalog

import (
	"strings"
	"time"
)

// Field names what an observation is about.
type Field string

// Model fields.
const (
	FieldName             Field = "name"
	FieldReleased         Field = "released"
	FieldContext          Field = "context_window"
	FieldMaxOutput        Field = "max_output"
	FieldParameters       Field = "parameters"
	FieldArchitecture     Field = "architecture"
	FieldLicence          Field = "licence"
	FieldKnowledgeCutoff  Field = "knowledge_cutoff"
	FieldInputModalities  Field = "input_modalities"  // comma-separated
	FieldOutputModalities Field = "output_modalities" // comma-separated
	// FieldSupportedParameters is an API's list of request parameters
	// (comma-separated); normalisation reads capabilities from it.
	FieldSupportedParameters Field = "supported_parameters"
	// FieldFeaturePrefix starts the field of one feature or tool a docs
	// page lists ("feature.function calling"), whose value says whether it
	// is supported; normalisation maps feature names to capabilities.
	FieldFeaturePrefix Field = "feature."
	// FieldHFRepo names the Hugging Face repository of the model's
	// weights ("meta-llama/Llama-3.2-1B-Instruct"), as a catalogue gives
	// it (OpenRouter's hugging_face_id). It is not a fact of the model:
	// normalisation reads it to link that repository's pages to the
	// model, and a run reads it to know which repositories to read.
	FieldHFRepo Field = "hf_repo"
)

// FeatureField is the field of a named feature: "feature.function calling".
func FeatureField(name string) Field {
	return FieldFeaturePrefix + Field(strings.ToLower(strings.TrimSpace(name)))
}

// Feature returns the feature name of a feature field.
func (f Field) Feature() (string, bool) {
	return strings.CutPrefix(string(f), string(FieldFeaturePrefix))
}

// Offering fields: set on observations that carry a Provider.
const (
	// FieldListed says the provider lists the model; Value is the
	// provider's own model id. It makes an offering exist even without a price.
	FieldListed            Field = "offering.listed"
	FieldPriceInput        Field = "price.input"
	FieldPriceOutput       Field = "price.output"
	FieldPriceCachedInput  Field = "price.cached_input"
	FieldPriceCacheWrite   Field = "price.cache_write"
	FieldPriceBatchInput   Field = "price.batch_input"
	FieldPriceBatchOutput  Field = "price.batch_output"
	FieldOfferingContext   Field = "offering.context"
	FieldOfferingMaxOutput Field = "offering.max_output"
)

// IsPrice reports whether the field is a price.
func (f Field) IsPrice() bool {
	switch f {
	case FieldPriceInput, FieldPriceOutput, FieldPriceCachedInput, FieldPriceCacheWrite,
		FieldPriceBatchInput, FieldPriceBatchOutput:
		return true
	}
	return false
}

// Unit is the unit a price was published in.
type Unit string

// Price units.
const (
	PerToken    Unit = "usd/token"
	PerThousand Unit = "usd/1k"
	PerMillion  Unit = "usd/1m"
)

// Observation is one value exactly as one source gave it, before
// normalisation. Scrapers produce observations; normalisation turns them into
// facts. Observations are kept so that a run can be re-normalised.
type Observation struct {
	// Source is the llmref source name ("openrouter").
	Source string `json:"source"`
	// URL is where the value was read.
	URL string `json:"url"`
	// Authority ranks the source for this value.
	Authority Authority `json:"authority"`
	// RetrievedAt is when the response holding the value was fetched.
	RetrievedAt time.Time `json:"retrieved_at"`
	// Subject is the source's own id of the model.
	Subject string `json:"subject"`
	// SubjectName is the source's display name of the model, if any.
	SubjectName string `json:"subject_name,omitempty"`
	// Provider is the offering's provider id; empty for model facts.
	Provider string `json:"provider,omitempty"`
	Region   string `json:"region,omitempty"`
	Variant  string `json:"variant,omitempty"`
	Field    Field  `json:"field"`
	// Value is the raw text the source gave ("0.000000027", "128k").
	Value string `json:"value"`
	// Unit is the unit of a price value.
	Unit Unit `json:"unit,omitempty"`
	// Note qualifies the value (a size tier, a footnote).
	Note string `json:"note,omitempty"`
}

// Ref returns the observation's source reference.
func (o Observation) Ref() SourceRef {
	return SourceRef{Name: o.Source, URL: o.URL, Authority: o.Authority, Note: o.Note}
}
