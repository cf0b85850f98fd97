using System.Security.Cryptography;

namespace Orchestrator.Runs;

/// <summary>A time-sortable run id: 10 Crockford base32 characters of milliseconds, then 16 random ones (a ULID).</summary>
public readonly record struct RunId(string Value)
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static RunId New(TimeProvider time)
    {
        var ms = time.GetUtcNow().ToUnixTimeMilliseconds();
        Span<char> chars = stackalloc char[26];
        for (var i = 9; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(ms & 31)];
            ms >>= 5;
        }

        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        for (var i = 10; i < 26; i++)
        {
            chars[i] = Alphabet[random[i - 10] & 31];
        }

        return new RunId(new string(chars));
    }

    public override string ToString() => Value;
}
