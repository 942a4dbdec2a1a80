"""What every app's services share: one error base (``errors``), the write helpers (``writes``), the way a page
shows a refusal (``pages``) and the tabular import pipeline (``tabular``). No models; no app imports this
package's callers."""
