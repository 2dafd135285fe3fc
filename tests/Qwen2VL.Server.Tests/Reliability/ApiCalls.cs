using System.Text;
using System.Text.Json;

namespace Qwen2VL.Server.Tests.Reliability;

/// <summary>Raw HTTP calls the reliability tests make, with their headers.</summary>
public static class ApiCalls
{
    public static HttpClient Client(Uri address, string key, TimeSpan? timeout = null)
    {
        var http = new HttpClient { BaseAddress = address, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return http;
    }

    public static HttpRequestMessage Chat(string body, string? idempotencyKey = null, string? sessionId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (sessionId is not null)
        {
            request.Headers.Add("X-Session-Id", sessionId);
        }

        return request;
    }

    /// <summary>Sends and reads the JSON answer, failing with the body when the status is not 2xx.</summary>
    public static async Task<JsonDocument> SucceedAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await http.SendAsync(request);
            string text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
            return JsonDocument.Parse(text);
        }
    }

    /// <summary>The answer text of a chat completion.</summary>
    public static string Text(JsonDocument completion) =>
        completion.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() ?? "";

    /// <summary>The error object of a refused request, with its status and headers.</summary>
    public static async Task<(int Status, JsonElement Error, HttpResponseMessage Response)> FailAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            var response = await http.SendAsync(request);
            string text = await response.Content.ReadAsStringAsync();
            Assert.False(response.IsSuccessStatusCode, $"expected a refusal, got {(int)response.StatusCode}: {text}");
            using var json = JsonDocument.Parse(text);
            return ((int)response.StatusCode, json.RootElement.GetProperty("error").Clone(), response);
        }
    }
}
