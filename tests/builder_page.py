"""The call builder driven as a browser drives it: read the page's form, change fields, press a
button (every value on the page is posted back, as a browser would)."""
from __future__ import annotations

from html.parser import HTMLParser


class FormState(HTMLParser):
    """The values a browser would post from the page's form with class `form_class`."""

    def __init__(self, form_class: str):
        super().__init__(convert_charrefs=True)
        self.form_class, self.inside, self.values = form_class, False, []
        self.textarea = self.select = None
        self.text, self.options, self.buttons = "", [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.form_class in (a.get("class") or "").split():
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.values.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.values.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), ""
        elif tag == "select":
            self.select, self.options = a.get("name"), []
        elif tag == "option" and self.select:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "button" and a.get("name") == "action":
            self.buttons.append(a.get("value"))

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            self.values.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = [v for v, selected in self.options if selected] or [v for v, _ in self.options[:1]]
            if chosen:
                self.values.append((self.select, chosen[0]))
            self.select = None


class Builder:
    """One call builder page in a test client."""

    def __init__(self, client, url: str):
        self.client, self.url = client, url
        self.response = client.get(url)
        self.read()

    def read(self):
        self.html = self.response.get_data(as_text=True)
        state = FormState("builder")
        state.feed(self.html)
        self.values, self.buttons = state.values, state.buttons

    def get(self, name: str):
        return next((v for n, v in self.values if n == name), None)

    def set(self, name: str, value) -> Builder:
        """Type into a field (a list ticks those checkboxes; False unticks)."""
        assert name in {n for n, _ in self.values} or value is not None, name
        self.values = [(n, v) for n, v in self.values if n != name]
        if value is True:
            self.values.append((name, "y"))
        elif isinstance(value, list):
            self.values += [(name, v) for v in value]
        elif value is not False:
            self.values.append((name, str(value)))
        return self

    def fill(self, **fields) -> Builder:
        for name, value in fields.items():
            self.set(name.replace("__", "."), value)
        return self

    def press(self, action: str):
        assert action in self.buttons, (action, self.buttons)
        data: dict[str, list[str]] = {}
        for name, value in self.values:
            data.setdefault(name, []).append(value)
        data["action"] = [action]
        self.response = self.client.post(self.url, data)
        if self.response.status_code != 302:
            self.read()
        return self.response


def posted(client, url: str, **changes) -> dict:
    """What the builder page at `url` posts when saved with `changes` typed in (names with `__` for `.`)."""
    page = Builder(client, url).fill(**changes)
    data: dict[str, list[str]] = {}
    for name, value in page.values:
        data.setdefault(name, []).append(value)
    return {**data, "action": "save"}
