"""The page-latency bench measures what it says: each event reaches the page's live stream, after the store."""

from tools.bench.venue_page import run_one


def test_each_event_shows_on_the_page_stream_after_it_was_stored(tmp_path):
    result = run_one("sqlite", events=3, max_pause_s=0.1, workdir=tmp_path, pg=None)
    assert len(result["page"]) == 3 and len(result["store"]) == 3
    # Causal order, not a time limit: the stream counts an event only once the store holds it.
    assert all(ms > 0 for ms in result["store"])
    assert all(page >= store for page, store in zip(result["page"], result["store"], strict=True))
