"""Exercise 1: hybrid MRR@10 on the shipped eval above the target."""

TARGET_MRR = 0.92
QUESTIONS = 44  # the shipped eval/questions.jsonl


def test_hybrid_mrr_at_10_is_above_the_target(ingested) -> None:
    lines = (ingested.project / "eval" / "questions.jsonl").read_text().splitlines()
    assert len([line for line in lines if line.strip()]) >= QUESTIONS, "keep the shipped questions"
    results = ingested.eval()
    for mode, metrics in results.items():
        print(mode, {name: round(value, 3) for name, value in metrics.items()})
    hybrid = results["hybrid"]
    assert hybrid["hit@5"] >= 0.95, f"hybrid hit@5 fell to {hybrid['hit@5']:.3f}"
    assert hybrid["mrr"] > TARGET_MRR, f"hybrid MRR@10 {hybrid['mrr']:.3f}, target {TARGET_MRR}"
