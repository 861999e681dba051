package web

import (
	"strings"

	"github.com/a-h/templ"
)

// Field is one input of a form as shown. The form components (form.templ)
// draw it the same way in every form: its label, its hint, its error next to
// it, and a control that says it is invalid, points at its hint and error,
// and takes the focus when it is the form's first error.
type Field struct {
	// Name is the control's name, and its id.
	Name string
	// Label, Hint and Error are message IDs; Hint and Error may be empty.
	Label, Hint, Error string
	// HintData and ErrorData fill the hint's and the error's placeholders
	// (a file's name, a size); nil for none.
	HintData, ErrorData map[string]any
	Value               string
	Optional            bool
	// Type is the input's type ("text", "email", "tel" …), or "textarea".
	Type string
	// Rows is a textarea's height in lines.
	Rows int
	// Attrs are the control's other attributes (autocomplete, maxlength …).
	Attrs templ.Attributes
	// Choices, when set, make the field a group of radio buttons, one per
	// choice, with Value the chosen one.
	Choices []Choice
	// Focus marks the form's first invalid field: it takes the focus when
	// the page loads, with or without JavaScript.
	Focus bool
}

// Choice is one radio button of a field: its value, and its label and
// explanation (message IDs).
type Choice struct {
	Value, Label, Text string
}

// ID is the id of the control the field's label and the error summary
// point at: the control, or a group's first radio button.
func (f Field) ID() string {
	if len(f.Choices) > 0 {
		return f.choiceID(f.Choices[0])
	}
	return f.Name
}

func (f Field) choiceID(c Choice) string { return f.Name + "-" + c.Value }

func (f Field) hintID() string  { return f.Name + "-hint" }
func (f Field) errorID() string { return f.Name + "-fout" }

// describedBy links the control to its hint and its error.
func (f Field) describedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.hintID())
	}
	if f.Error != "" {
		ids = append(ids, f.errorID())
	}
	return strings.Join(ids, " ")
}

// controlAttrs are the attributes every control of a field carries besides
// its own: required, invalid, described by its hint and error, focused.
func (f Field) controlAttrs() templ.Attributes {
	a := templ.Attributes{}
	for k, v := range f.Attrs {
		a[k] = v
	}
	if !f.Optional {
		a["required"] = true
		a["aria-required"] = "true"
	}
	if f.Error != "" {
		a["aria-invalid"] = "true"
	}
	if d := f.describedBy(); d != "" {
		a["aria-describedby"] = d
	}
	if f.Focus {
		a["autofocus"] = true
	}
	return a
}

// focusFirstError marks the first field with an error to take the focus.
func focusFirstError(fields []Field) []Field {
	for i := range fields {
		if fields[i].Error != "" {
			fields[i].Focus = true
			break
		}
	}
	return fields
}

// hasErrors reports whether any field has an error.
func hasErrors(fields []Field) bool {
	for _, f := range fields {
		if f.Error != "" {
			return true
		}
	}
	return false
}
