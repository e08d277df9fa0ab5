package dev.jotter.examples.springboot;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ResponseStatus;

/** Thrown instead of returning null, so that a miss never puts (and never writes) anything. */
@ResponseStatus(HttpStatus.NOT_FOUND)
public class OrderNotFoundException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public OrderNotFoundException(long id) {
    super("no order " + id);
  }
}
