package dev.subterra.serving.protocol;

/**
 * A request the server refuses, with the HTTP status and the fields of the OpenAI error object it answers with.
 * The message is one line that says what is wrong and where, and never quotes a secret.
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String type;
  private final String code;
  private final String param;

  public ApiException(int status, String type, String code, String param, String message) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
  }

  /** A 400 {@code invalid_request_error} about one request field. */
  public static ApiException invalid(String param, String message) {
    return new ApiException(400, "invalid_request_error", "invalid_value", param, message);
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The error's {@code type}, such as {@code invalid_request_error}. */
  public String type() {
    return type;
  }

  /** The error's {@code code}, such as {@code invalid_api_key}; also the metrics' error kind. */
  public String code() {
    return code;
  }

  /** The request field at fault, or null. */
  public String param() {
    return param;
  }

  /** The body the server sends. */
  public ErrorResponse body() {
    return new ErrorResponse(new ErrorResponse.Error(getMessage(), type, param, code));
  }
}
