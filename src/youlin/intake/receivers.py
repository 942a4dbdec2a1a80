"""What intake hears from the case loop: staff correcting a case's category teaches the next training."""

from youlin.intake.services import correction_record


def on_category_corrected(sender, *, case, old_category, new_category, actor, **kwargs) -> None:
    correction_record(actor=actor, case=case, old_category=old_category, new_category=new_category)


def hotline_classifier():
    """The 12345 import's classifier (``cases.classify.register``): what the hotline's own classification names
    exactly when it names one of ours, else the trained suggestion on its words and the complaint's."""
    from youlin.cases import classify
    from youlin.cases.models import Category
    from youlin.intake.selectors import engine

    by_names = classify.default_classifier()
    built = engine()
    categories = Category.objects.filter(is_active=True).in_bulk()

    named_by: dict[str, classify.Classification] = {}  # a file repeats a few dozen hotline categories

    def classify_order(hotline_category: str, content: str) -> classify.Classification:
        named = named_by.get(hotline_category)
        if named is None:
            named = named_by[hotline_category] = by_names(hotline_category, "")
        if named.category is not None and named.confidence >= classify.HOTLINE_NAME:
            return named
        found = built.suggest(f"{hotline_category or ''} {content or ''}".strip(), top=1)
        if found and found[0].category_id in categories:
            return classify.Classification(categories[found[0].category_id], found[0].score)
        return by_names(hotline_category, content)

    def classify_orders(pairs: list[tuple[str, str]]) -> list[classify.Classification]:
        """``[classify_order(h, c) for h, c in pairs]``, the trained suggestions made in one batch (each
        distinct text once)."""
        answers: list[classify.Classification | None] = []
        texts: dict[str, list[int]] = {}
        for n, (hotline_category, content) in enumerate(pairs):
            named = named_by.get(hotline_category)
            if named is None:
                named = named_by[hotline_category] = by_names(hotline_category, "")
            if named.category is not None and named.confidence >= classify.HOTLINE_NAME:
                answers.append(named)
                continue
            answers.append(None)
            texts.setdefault(f"{hotline_category or ''} {content or ''}".strip(), []).append(n)
        for found, at in zip(built.suggest_many(list(texts), top=1), texts.values(), strict=True):
            for n in at:
                if found and found[0].category_id in categories:
                    answers[n] = classify.Classification(categories[found[0].category_id], found[0].score)
                else:
                    answers[n] = by_names(*pairs[n])
        return answers

    classify_order.many = classify_orders  # plan_orders classifies a file's orders in one call
    return classify_order
