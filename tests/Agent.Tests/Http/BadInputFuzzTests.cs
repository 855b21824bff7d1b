using System.Globalization;
using System.Text;
using System.Text.Json;
using DataCluster.Agent.Assignments;
using DataCluster.Agent.Tests.Support;
using DataCluster.Ring;
using DataCluster.Testing.Telemetry;
using Xunit;

namespace DataCluster.Agent.Tests.Http;

/// <summary>Random and hostile keys and partition numbers never make the agent answer 5xx.</summary>
public sealed class BadInputFuzzTests
{
    // Fixed seed: a failure names an input that reproduces.
    private const int Seed = 20240601;

    [Fact]
    public async Task Random_keys_and_partitions_get_200_or_a_400_never_a_5xx()
    {
        await using var api = await ApiHarness.StartAsync(partitions: 64);
        var members = new[] { new Member("dc-0", 0, "", ""), new Member("dc-1", 1, "", "") };
        api.Assignments.Observe(AssignmentDocument.Data(Assigner.Assign(null, members, new AssignmentSettings(64, 2)), 1, "dc-0"));
        var random = new Random(Seed);
        var statuses = new Dictionary<int, int>();

        foreach (var target in Targets(random))
        {
            var (status, body, _) = await api.RawGetAsync(target);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status is 200 or 400, $"GET {Show(target)} answered {status}: {body}");
            if (body.Length > 0)
            {
                using var json = JsonDocument.Parse(body);
                Assert.True(status == 200 || json.RootElement.TryGetProperty("error", out _), $"GET {Show(target)}: 400 without an error code: {body}");
            }
        }

        // The generator must exercise both outcomes, or it tests nothing.
        Assert.True(statuses.GetValueOrDefault(200) > 50 && statuses.GetValueOrDefault(400) > 50, $"outcomes: {string.Join(", ", statuses)}");
        var requests = PrometheusText.Parse(await api.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken))["datacluster_agent_http_requests_total"];
        Assert.DoesNotContain(requests.Samples, sample => sample.Label("code")!.StartsWith('5'));
    }

    private static IEnumerable<string> Targets(Random random)
    {
        for (var i = 0; i < 150; i++)
        {
            // Arbitrary bytes, percent-encoded: mostly invalid UTF-8.
            var bytes = new byte[random.Next(0, 40)];
            random.NextBytes(bytes);
            yield return "/v1/owners/" + string.Concat(bytes.Select(b => $"%{b:X2}"));
        }

        for (var i = 0; i < 150; i++)
        {
            // Valid UTF-8 from random code points (no surrogates), percent-encoded.
            var text = new StringBuilder();
            for (var n = random.Next(1, 20); n > 0; n--)
            {
                var codePoint = random.Next(3) switch
                {
                    0 => random.Next(0x20, 0x7F),
                    1 => random.Next(0x80, 0xD800),
                    _ => random.Next(0x10000, 0x110000),
                };
                text.Append(char.ConvertFromUtf32(codePoint));
            }

            yield return "/v1/owners/" + Uri.EscapeDataString(text.ToString());
        }

        string[] tricky =
        [
            "%", "%%", "%2", "%G0", "%00", "%0A", "%0D%0A", "%2F%2F", "..%2F..%2F", "%C0%80", "%E0%80%80", "%F4%90%80%80",
            "%ED%BF%BF", "%EF%BB%BF", "a%", "%%41", "%25", "%2525", "?", "a?b=%zz", ";", "%3B", "~", "%7E",
            new string('%', 1500), string.Concat(Enumerable.Repeat("%F0%9F%98%80", 256)), string.Concat(Enumerable.Repeat("%F0%9F%98%80", 257)),
        ];
        foreach (var key in tricky)
        {
            yield return "/v1/owners/" + key;
        }

        for (var i = 0; i < 100; i++)
        {
            var number = random.Next(4) switch
            {
                0 => random.Next(-100, 100).ToString(CultureInfo.InvariantCulture),
                1 => random.NextInt64().ToString(CultureInfo.InvariantCulture) + random.NextInt64().ToString(CultureInfo.InvariantCulture),
                2 => Uri.EscapeDataString(char.ConvertFromUtf32(random.Next(0x660, 0x66A))),
                _ => "%" + random.Next(256).ToString("X2", CultureInfo.InvariantCulture),
            };
            yield return $"/v1/partitions/{number}/owners";
        }

        foreach (var number in new[] { "2147483647", "2147483648", "-2147483648", "00", "0063", "64", "1e3", "%2B1", "%E2%80%8B1" })
        {
            yield return $"/v1/partitions/{number}/owners";
        }
    }

    private static string Show(string target) => target.Length > 120 ? target[..120] + "..." : target;
}
