using System.Text;
using Qwen2VL.Server.Tests.EndToEnd;
using static Qwen2VL.Server.Tests.Reliability.MalformedCase;

namespace Qwen2VL.Server.Tests.Reliability;

/// <summary>
/// Requests a client can get wrong, grouped by kind, each with the error it must get. Every case fails before any
/// generation, so the whole corpus runs in a few seconds.
/// </summary>
public static class MalformedRequestCorpus
{
    private const string Hi = """[{"role": "user", "content": "hi"}]""";

    public static IReadOnlyList<MalformedCase> All { get; } =
    [
        .. BadJson(), .. WrongTypes(), .. OutOfRange(), .. UnsupportedFields(), .. Images(), .. Urls(), .. Limits(), .. Sessions(), .. Auth(), .. Other(),
    ];

    private static readonly Dictionary<string, MalformedCase> ByName = All.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public static MalformedCase Named(string name) => ByName[name];

    public static IEnumerable<object[]> Names => All.Select(c => new object[] { c.Name });

    /// <summary>A chat request for model tiny with <paramref name="extra"/> fields after the messages.</summary>
    private static string Chat(string extra = "", string messages = Hi) => $$"""{"model": "tiny", "messages": {{messages}}{{extra}}}""";

    private static string User(params string[] parts) => $$"""[{"role": "user", "content": [{{string.Join(", ", parts)}}]}]""";

    private static string Image(string url) => $$$"""{"type": "image_url", "image_url": {"url": "{{{url}}}"}}""";

    private static string Text(string text) => $$"""{"type": "text", "text": "{{text}}"}""";

    private static IEnumerable<MalformedCase> BadJson() =>
    [
        Post("json: empty body", "", code: "invalid_json"),
        Post("json: unterminated object", "{", code: "invalid_json"),
        Post("json: array root", "[]", code: "invalid_json"),
        Post("json: null root", "null", code: "invalid_json"),
        Post("json: number root", "42", code: "invalid_json"),
        Post("json: string root", "\"chat\"", code: "invalid_json"),
        Post("json: missing value", """{"model": }""", code: "invalid_json"),
        Post("json: trailing garbage", Chat() + "}}", code: "invalid_json"),
        Post("json: single quotes", "{'model': 'tiny'}", code: "invalid_json"),
        Post("json: trailing comma", """{"model": "tiny", "messages": [],}""", code: "invalid_json"),
        Post("json: invalid utf-8", [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'], 400, "invalid_json"),
        Post("json: nested deeper than 64", new string('[', 200) + new string(']', 200), code: "invalid_json"),
        Post("json: comment", """{"model": "tiny" /* x */, "messages": [{"role": "user", "content": "hi"}]}""", code: "invalid_json"),
    ];

    private static IEnumerable<MalformedCase> WrongTypes() =>
    [
        Post("model: missing", """{"messages": [{"role": "user", "content": "hi"}]}""", code: "missing_required_parameter"),
        Post("model: number", """{"model": 7, "messages": [{"role": "user", "content": "hi"}]}"""),
        Post("model: null", """{"model": null, "messages": [{"role": "user", "content": "hi"}]}"""),
        Post("messages: missing", """{"model": "tiny"}""", code: "missing_required_parameter"),
        Post("messages: object", Chat(messages: """{"role": "user", "content": "hi"}""")),
        Post("messages: string", Chat(messages: "\"hi\"")),
        Post("messages: empty", Chat(messages: "[]")),
        Post("message: not an object", Chat(messages: "[\"hi\"]")),
        Post("message: role missing", Chat(messages: """[{"content": "hi"}]"""), code: "missing_required_parameter"),
        Post("message: role unknown", Chat(messages: """[{"role": "robot", "content": "hi"}]""")),
        Post("message: role number", Chat(messages: """[{"role": 1, "content": "hi"}]""")),
        Post("message: content missing", Chat(messages: """[{"role": "user"}]""")),
        Post("message: content null", Chat(messages: """[{"role": "user", "content": null}]""")),
        Post("message: content number", Chat(messages: """[{"role": "user", "content": 5}]""")),
        Post("message: content object", Chat(messages: """[{"role": "user", "content": {"text": "hi"}}]""")),
        Post("message: name number", Chat(messages: """[{"role": "user", "content": "hi", "name": 3}]""")),
        Post("part: not an object", Chat(messages: User("\"hi\""))),
        Post("part: type missing", Chat(messages: User("""{"text": "hi"}""")), code: "missing_required_parameter"),
        Post("part: type unknown", Chat(messages: User("""{"type": "hologram"}"""))),
        Post("part: audio input", Chat(messages: User("""{"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}"""))),
        Post("part: text missing", Chat(messages: User("""{"type": "text"}""")), code: "missing_required_parameter"),
        Post("part: text number", Chat(messages: User("""{"type": "text", "text": 12}"""))),
        Post("part: image_url missing", Chat(messages: User("""{"type": "image_url"}"""))),
        Post("part: image_url number", Chat(messages: User("""{"type": "image_url", "image_url": 3}"""))),
        Post("part: image url missing", Chat(messages: User("""{"type": "image_url", "image_url": {}}"""))),
        Post("part: image detail unknown", Chat(messages: User("""{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA", "detail": "ultra"}}"""))),
        Post("part: image in assistant message", Chat(messages: """[{"role": "user", "content": "hi"}, {"role": "assistant", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}]""")),
        Post("part: video frame list empty", Chat(messages: User("""{"type": "video", "video": []}"""))),
        Post("part: video frame not a string", Chat(messages: User("""{"type": "video", "video": [1, 2]}"""))),
        Post("tool message: no tool_call_id", Chat(messages: """[{"role": "user", "content": "hi"}, {"role": "tool", "content": "42"}]""")),
        Post("assistant: tool_calls not an array", Chat(messages: """[{"role": "user", "content": "hi"}, {"role": "assistant", "tool_calls": 3}]""")),
        Post("stream: string", Chat(", \"stream\": \"yes\"")),
        Post("stream_options: without stream", Chat(", \"stream_options\": {\"include_usage\": true}")),
        Post("stream_options: not an object", Chat(", \"stream\": true, \"stream_options\": 1")),
        Post("temperature: string", Chat(", \"temperature\": \"hot\"")),
        Post("max_tokens: string", Chat(", \"max_tokens\": \"ten\"")),
        Post("max_tokens: fraction", Chat(", \"max_tokens\": 1.5")),
        Post("n: string", Chat(", \"n\": \"two\"")),
        Post("seed: string", Chat(", \"seed\": \"abc\"")),
        Post("seed: fraction", Chat(", \"seed\": 0.5")),
        Post("stop: number", Chat(", \"stop\": 5")),
        Post("stop: list of numbers", Chat(", \"stop\": [1, 2]")),
        Post("logprobs: string", Chat(", \"logprobs\": \"yes\"")),
        Post("tools: object", Chat(", \"tools\": {}")),
        Post("tools: bad function name", Chat(", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"no spaces allowed\"}}]")),
        Post("tools: parameters not a schema", Chat(", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": 3}}]")),
        Post("tool_choice: unknown mode", Chat(", \"tool_choice\": \"sometimes\"")),
        Post("tool_choice: without tools", Chat(", \"tool_choice\": \"required\"")),
        Post("tool_choice: unknown function", Chat(", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}], \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"g\"}}")),
        Post("response_format: unknown type", Chat(", \"response_format\": {\"type\": \"yaml\"}")),
        Post("mm_processor_kwargs: not an object", Chat(", \"mm_processor_kwargs\": 3")),
    ];

    private static IEnumerable<MalformedCase> OutOfRange() =>
    [
        Post("temperature: negative", Chat(", \"temperature\": -1")),
        Post("temperature: above 2", Chat(", \"temperature\": 3")),
        Post("top_p: zero", Chat(", \"top_p\": 0")),
        Post("top_p: above 1", Chat(", \"top_p\": 1.5")),
        Post("top_k: below -1", Chat(", \"top_k\": -5")),
        Post("min_p: above 1", Chat(", \"min_p\": 2")),
        Post("repetition_penalty: zero", Chat(", \"repetition_penalty\": 0")),
        Post("presence_penalty: above 2", Chat(", \"presence_penalty\": 5")),
        Post("frequency_penalty: below -2", Chat(", \"frequency_penalty\": -5")),
        Post("max_tokens: zero", Chat(", \"max_tokens\": 0")),
        Post("max_tokens: negative", Chat(", \"max_tokens\": -1")),
        Post("max_tokens: beyond int", Chat(", \"max_tokens\": 99999999999")),
        Post("max_completion_tokens: zero", Chat(", \"max_completion_tokens\": 0")),
        Post("n: zero", Chat(", \"n\": 0")),
        Post("n: above the limit", Chat(", \"n\": 100")),
        Post("top_logprobs: above 20", Chat(", \"logprobs\": true, \"top_logprobs\": 50")),
        Post("top_logprobs: without logprobs", Chat(", \"top_logprobs\": 5")),
        Post("stop: too many", Chat(", \"stop\": [" + string.Join(", ", Enumerable.Range(0, 20).Select(i => $"\"s{i}\"")) + "]")),
        Post("messages: too many", Chat(messages: "[" + string.Join(", ", Enumerable.Repeat("""{"role": "user", "content": "x"}""", 1025)) + "]")),
        Post("mm_processor_kwargs: min above max", Chat(", \"mm_processor_kwargs\": {\"min_pixels\": 1000, \"max_pixels\": 10}")),
        Post("mm_processor_kwargs: negative pixels", Chat(", \"mm_processor_kwargs\": {\"max_pixels\": -4}")),
        Post("mm_processor_kwargs: fps zero", Chat(", \"mm_processor_kwargs\": {\"fps\": 0}")),
        Post("temperature: NaN literal", Chat(", \"temperature\": NaN"), code: "invalid_json"),
    ];

    private static IEnumerable<MalformedCase> UnsupportedFields() =>
    [
        Post("unsupported: audio output", Chat(", \"audio\": {\"voice\": \"alloy\", \"format\": \"wav\"}"), code: "unsupported_parameter"),
        Post("unsupported: audio modality", Chat(", \"modalities\": [\"text\", \"audio\"]"), code: "unsupported_parameter"),
        Post("unsupported: legacy functions", Chat(", \"functions\": [{\"name\": \"f\"}]"), code: "unsupported_parameter"),
        Post("unsupported: legacy function_call", Chat(", \"function_call\": \"auto\""), code: "unsupported_parameter"),
        Post("unsupported: logit_bias", Chat(", \"logit_bias\": {\"42\": 100}"), code: "unsupported_parameter"),
        Post("unsupported: prediction", Chat(", \"prediction\": {\"type\": \"content\", \"content\": \"x\"}"), code: "unsupported_parameter"),
    ];

    private static IEnumerable<MalformedCase> Images() =>
    [
        Post("image: invalid base64", Chat(messages: User(Image("data:image/png;base64,%%%not-base64%%%")))),
        Post("image: empty data", Chat(messages: User(Image("data:image/png;base64,")))),
        Post("image: data URL without base64 marker", Chat(messages: User(Image("data:image/png,rawbytes")))),
        Post("image: bytes that are no image", Chat(messages: User(Image("data:image/png;base64,AAAA"))), code: "unsupported_media_type"),
        Post("image: truncated PNG", Chat(messages: User(Image(TestImages.DataUrl(TestImages.Png(64, 64)[..40]))))),
        Post("image: 1×1", Chat(messages: User(Image(TestImages.DataUrl(TestImages.Png(1, 1))))), code: "image_too_small"),
        Post("image: 100000×10", Chat(messages: User(Image(TestImages.DataUrl(TestImages.Png(100000, 10)))))),
        Post("image: 30000×30000", Chat(messages: User(Image(TestImages.DataUrl(TestImages.Png(30000, 30000)))))),
        Post("image: declared text/plain", Chat(messages: User(Image(TestImages.DataUrl(TestImages.Png(32, 32), "text/plain"))))),
        Post("image: PDF", Chat(messages: User(Image(TestImages.DataUrl("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n"u8.ToArray(), "application/pdf"))))),
        Post("image: SVG", Chat(messages: User(Image(TestImages.DataUrl("<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>"u8.ToArray(), "image/svg+xml"))))),
        Post("image: a PNG given as a video", Chat(messages: User("""{"type": "video_url", "video_url": {"url": "__URL__"}}""".Replace("__URL__", TestImages.DataUrl(TestImages.Png(32, 32)), StringComparison.Ordinal)))),
        Post("image: more than the server allows", Chat(messages: User(Enumerable.Repeat(Image("data:image/png;base64,AAAA"), 17).ToArray())), code: "too_many_images"),
    ];

    private static IEnumerable<MalformedCase> Urls() =>
    [
        Post("url: loopback", Chat(messages: User(Image("http://127.0.0.1:1/x.png"))), code: "forbidden_address"),
        Post("url: localhost name", Chat(messages: User(Image("http://localhost:1/x.png"))), code: "forbidden_address"),
        Post("url: IPv6 loopback", Chat(messages: User(Image("http://[::1]:1/x.png"))), code: "forbidden_address"),
        Post("url: private network", Chat(messages: User(Image("http://10.1.2.3/x.png"))), code: "forbidden_address"),
        Post("url: cloud metadata", Chat(messages: User(Image("http://169.254.169.254/latest/meta-data/"))), code: "forbidden_address"),
        Post("url: unspecified address", Chat(messages: User(Image("http://0.0.0.0/x.png"))), code: "forbidden_address"),
        Post("url: file scheme", Chat(messages: User(Image("file:///etc/passwd"))), code: "invalid_url"),
        Post("url: ftp scheme", Chat(messages: User(Image("ftp://example.com/x.png"))), code: "invalid_url"),
        Post("url: relative", Chat(messages: User(Image("/images/x.png"))), code: "invalid_url"),
        Post("url: empty", Chat(messages: User(Image(""))), code: "invalid_url"),
        Post("url: unresolvable host", Chat(messages: User(Image("http://no-such-host.invalid/x.png")))),
    ];

    private static IEnumerable<MalformedCase> Limits() =>
    [
        Post("limit: prompt over the tenant's context", Chat(messages: $$"""[{"role": "user", "content": "{{string.Concat(Enumerable.Repeat("many words here ", 40))}}"}]""", extra: ", \"max_tokens\": 1"),
            code: "context_length_exceeded", key: TestTenants.SmallKey),
        Post("limit: prompt over the model's context", Chat(messages: $$"""[{"role": "user", "content": "{{string.Concat(Enumerable.Repeat("hello ", 33000))}}"}]""", extra: ", \"max_tokens\": 1"),
            code: "context_length_exceeded"),
        Post("limit: more images than the tenant allows", Chat(messages: User(Image(TestImages.DataUrl(TestImages.Png(32, 32))), Image(TestImages.DataUrl(TestImages.Png(32, 32))))),
            code: "too_many_images", key: TestTenants.SmallKey),
    ];

    private static IEnumerable<MalformedCase> Sessions() =>
    [
        Post("session: id with spaces", Chat(), adjust: r => r.Headers.TryAddWithoutValidation("X-Session-Id", "not valid")),
        Post("session: id too long", Chat(), adjust: r => r.Headers.Add("X-Session-Id", new string('s', 200))),
        Post("session: id with a colon", Chat(), adjust: r => r.Headers.Add("X-Session-Id", "a:b"), code: "invalid_session_id"),
        Post("session: n above 1", Chat(", \"n\": 2"), adjust: r => r.Headers.Add("X-Session-Id", "corpus-n")),
        Post("session: history in the request", Chat(messages: """[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}, {"role": "user", "content": "again"}]"""),
            code: "session_history_in_request", adjust: r => r.Headers.Add("X-Session-Id", "corpus-history")),
        Post("session: system message only", Chat(messages: """[{"role": "system", "content": "be brief"}]"""), code: "empty_turn",
            adjust: r => r.Headers.Add("X-Session-Id", "corpus-system-only")),
        Post("idempotency key: invalid characters", Chat(), adjust: r => r.Headers.TryAddWithoutValidation("Idempotency-Key", "key with spaces")),
        Post("idempotency key: too long", Chat(), adjust: r => r.Headers.Add("Idempotency-Key", new string('k', 129))),
    ];

    private static IEnumerable<MalformedCase> Auth() =>
    [
        Post("auth: no key", Chat(), 401, "missing_api_key", "authentication_error", key: null),
        Post("auth: wrong key", Chat(), 401, "invalid_api_key", "authentication_error", key: "sk-not-a-real-key"),
        Post("auth: issued-looking key", Chat(), 401, "invalid_api_key", "authentication_error", key: "q2vl-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        Post("auth: basic scheme", Chat(), 401, "invalid_api_key", "authentication_error", key: null,
            adjust: r => r.Headers.TryAddWithoutValidation("Authorization", "Basic dXNlcjpwYXNz")),
        Post("auth: bearer without key", Chat(), 401, "invalid_api_key", "authentication_error", key: null,
            adjust: r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer ")),
        new("auth: usage without key", 401, "authentication_error", "missing_api_key", () => new HttpRequestMessage(HttpMethod.Get, "/v1/usage")),
        new("auth: models with wrong key", 401, "authentication_error", "invalid_api_key", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
            request.Headers.Authorization = new("Bearer", "sk-not-a-real-key");
            return request;
        }),
    ];

    private static IEnumerable<MalformedCase> Other() =>
    [
        Post("model: unknown", """{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}""", 404, "model_not_found", "not_found_error"),
        Post("model: empty", """{"model": "", "messages": [{"role": "user", "content": "hi"}]}"""),
        new("model: unknown by id", 404, "not_found_error", null, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models/gpt-4o");
            request.Headers.Authorization = new("Bearer", EmbeddedServer.ApiKey);
            return request;
        }),
        Post("body: over 64 MiB declared", Chat(), 413, "request_too_large", adjust: r =>
        {
            // The declared length alone is refused, before a byte of the body is read.
            r.Content = new OversizedContent(65L * 1024 * 1024);
            r.Headers.ExpectContinue = true;
        }),
        Post("body: form encoded", "model=tiny&messages=hi", code: "invalid_json",
            adjust: r => r.Content!.Headers.ContentType = new("application/x-www-form-urlencoded")),
    ];
}
