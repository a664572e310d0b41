package scrapers

import (
	"encoding/json"

	"github.com/llmref/llmref/internal/jsonread"
)

// fastOREndpoints reads an endpoints response into what
// json.Unmarshal(body, &doc) gives, in one pass over the body and keeping
// only the fields orEndpointsDoc holds; ok is false when it leaves the
// body to encoding/json (see jsonread.Reader). FuzzFastOREndpoints holds the
// two equal.
func fastOREndpoints(body []byte) (doc orEndpointsDoc, ok bool) {
	r := jsonread.New(body)
	top := jsonread.Fields{Names: []string{"data"}}
	r.Object(func(key []byte) {
		if top.Match(r, key) != 0 {
			r.Skip()
			return
		}
		if r.Null() {
			doc.Data = nil
			return
		}
		doc.Data = readOREndpointsData(r)
	})
	if !r.End() {
		return orEndpointsDoc{}, false
	}
	return doc, true
}

func readOREndpointsData(r *jsonread.Reader) *orEndpointsData {
	d := &orEndpointsData{}
	f := jsonread.Fields{Names: []string{"id", "name", "endpoints"}}
	r.Object(func(key []byte) {
		switch f.Match(r, key) {
		case 0:
			r.StringField(&d.ID)
		case 1:
			r.StringField(&d.Name)
		case 2:
			if r.Null() {
				d.Endpoints = nil
				return
			}
			eps := make([]orEndpoint, 0, 8)
			r.Array(func() {
				if r.Peek() != '{' { // a null element, or another type: encoding/json's to decide
					r.Fail()
					return
				}
				eps = append(eps, readOREndpoint(r))
			})
			d.Endpoints = &eps
		default:
			r.Skip()
		}
	})
	return d
}

func readOREndpoint(r *jsonread.Reader) orEndpoint {
	var e orEndpoint
	f := jsonread.Fields{Names: []string{"name", "provider_name", "tag", "context_length", "max_completion_tokens", "quantization", "status", "pricing"}}
	r.Object(func(key []byte) {
		switch f.Match(r, key) {
		case 0:
			r.StringField(&e.Name)
		case 1:
			r.StringField(&e.ProviderName)
		case 2:
			r.StringField(&e.Tag)
		case 3:
			e.ContextLength = readInt(r)
		case 4:
			e.MaxCompletionTokens = readInt(r)
		case 5:
			e.Quantization = readStringPtr(r)
		case 6:
			e.Status = nil
			if !r.Null() {
				if c := r.Peek(); c != '-' && (c < '0' || c > '9') {
					r.Fail()
					return
				}
				n := json.Number(r.Number())
				e.Status = &n
			}
		case 7:
			e.Pricing = readRawMap(r)
		default:
			r.Skip()
		}
	})
	return e
}

// readInt reads an integer into a new int64, or null (nil), as
// encoding/json does into an *int64.
func readInt(r *jsonread.Reader) *int64 {
	if r.Null() {
		return nil
	}
	var n int64
	jsonread.IntField(r, &n)
	return &n
}

// rawMap reads an object of raw values (a nil map for null); each value
// is the body's own bytes, as encoding/json's RawMessage holds them.
func readRawMap(r *jsonread.Reader) map[string]json.RawMessage {
	if r.Null() {
		return nil
	}
	m := map[string]json.RawMessage{}
	r.Object(func(key []byte) {
		m[string(key)] = json.RawMessage(r.Value())
	})
	return m
}

// Field names of the models list's records, as orModel decodes them.
var (
	orModelFields        = []string{"id", "name", "context_length", "architecture", "pricing", "top_provider", "supported_parameters", "knowledge_cutoff", "hugging_face_id"}
	orArchitectureFields = []string{"modality", "input_modalities", "output_modalities"}
	orTopProviderFields  = []string{"context_length", "max_completion_tokens"}
)

// fastORModels reads a models list, /api/v1/models, in one pass over the
// body, handing each entry of its "data" array to each in order, as
// json.Unmarshal(entry, &m) reads it; present is false for a missing or
// null array. ok is false when it leaves the body to encoding/json:
// anything unusual anywhere (see jsonread.Reader), an entry that is not
// an object among them, so that an entry encoding/json would refuse is
// refused as before, with its error; each may have been called for the
// entries before, and the caller starts again. FuzzFastORModels holds the
// two equal. The list is read whole before a run can plan the requests of
// the models it names: with encoding/json that was ~27 µs a model, on the
// critical path. No entry is kept here: a list of millions of empty
// entries costs no more memory than its body.
func fastORModels(body []byte, each func(orModel)) (present, ok bool) {
	r := jsonread.New(body)
	top := jsonread.Fields{Names: []string{"data"}}
	r.Object(func(key []byte) {
		if top.Match(r, key) != 0 {
			r.Skip()
			return
		}
		if r.Null() {
			present = false
			return
		}
		present = true
		r.Array(func() {
			if r.Peek() != '{' { // a null or another type: encoding/json's to decide
				r.Fail()
				return
			}
			m := readORModel(r)
			if r.OK {
				each(m)
			}
		})
	})
	if !r.End() {
		return false, false
	}
	return present, true
}

func readORModel(r *jsonread.Reader) orModel {
	var m orModel
	f := jsonread.Fields{Names: orModelFields}
	r.Object(func(key []byte) {
		switch f.Match(r, key) {
		case 0:
			r.StringField(&m.ID)
		case 1:
			r.StringField(&m.Name)
		case 2:
			m.ContextLength = readInt(r)
		case 3:
			m.Architecture = nil
			if !r.Null() {
				m.Architecture = readORArchitecture(r)
			}
		case 4:
			m.Pricing = readRawMap(r)
		case 5:
			m.TopProvider = nil
			if !r.Null() {
				m.TopProvider = readORTopProvider(r)
			}
		case 6:
			m.SupportedParameters = r.Strings()
		case 7:
			m.KnowledgeCutoff = readStringPtr(r)
		case 8:
			m.HuggingFaceID = readStringPtr(r)
		default:
			r.Skip()
		}
	})
	return m
}

func readORArchitecture(r *jsonread.Reader) *orArchitecture {
	a := &orArchitecture{}
	f := jsonread.Fields{Names: orArchitectureFields}
	r.Object(func(key []byte) {
		switch f.Match(r, key) {
		case 0:
			r.StringField(&a.Modality)
		case 1:
			a.InputModalities = r.Strings()
		case 2:
			a.OutputModalities = r.Strings()
		default:
			r.Skip()
		}
	})
	return a
}

func readORTopProvider(r *jsonread.Reader) *orTopProvider {
	t := &orTopProvider{}
	f := jsonread.Fields{Names: orTopProviderFields}
	r.Object(func(key []byte) {
		switch f.Match(r, key) {
		case 0:
			t.ContextLength = readInt(r)
		case 1:
			t.MaxCompletionTokens = readInt(r)
		default:
			r.Skip()
		}
	})
	return t
}

// readStringPtr reads a string into a new string, or null (nil), as
// encoding/json does into a *string.
func readStringPtr(r *jsonread.Reader) *string {
	if r.Null() {
		return nil
	}
	s := r.String()
	return &s
}
