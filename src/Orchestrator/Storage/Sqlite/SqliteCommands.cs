using Microsoft.Data.Sqlite;

namespace Orchestrator.Storage.Sqlite;

/// <summary>Small helpers over ADO.NET so the stores read as SQL plus parameters.</summary>
internal static class SqliteCommands
{
    /// <summary>A command in the connection's current transaction, if any. Every SQL text comes from this assembly.</summary>
    public static SqliteCommand Command(this SqliteConnection connection, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // the SQL is a constant of the calling store; values travel as parameters
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    public static int Execute(this SqliteConnection connection, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var command = connection.Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static object? Scalar(this SqliteConnection connection, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var command = connection.Command(sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <summary>Reads every row with <paramref name="read"/>.</summary>
    public static List<T> Query<T>(this SqliteConnection connection, string sql, Func<SqliteDataReader, T> read, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var command = connection.Command(sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public static string? GetNullableString(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? GetNullableInt64(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}

/// <summary>Times are stored as UTC ticks: exact, sortable, and read back as UTC.</summary>
internal static class SqliteTime
{
    public static long ToTicks(DateTimeOffset value) => value.UtcTicks;

    public static long? ToTicks(DateTimeOffset? value) => value?.UtcTicks;

    public static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    public static DateTimeOffset? FromTicks(long? ticks) => ticks is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;
}
