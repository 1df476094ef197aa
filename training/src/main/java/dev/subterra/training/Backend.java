package dev.subterra.training;

import java.util.Locale;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The ND4J backend this process computes on: which one loaded, and whether its oneDNN build did.
 *
 * <p>The CPU backend ships two builds of {@code libnd4jcpu}: a plain one (classifier {@code linux-x86_64}) and one
 * linked with oneDNN ({@code linux-x86_64-onednn}). JavaCPP loads the oneDNN one only when the system property
 * {@value #PLATFORM_EXTENSION} is {@code -onednn} before ND4J first loads. {@link #initialise()} sets it when the
 * oneDNN build is on the class path and nobody set it, so that the library, its tests and the jobs agree; a value set
 * on the command line wins.
 */
public final class Backend {

  /** The JavaCPP system property that picks a native build by its classifier suffix. */
  public static final String PLATFORM_EXTENSION = "org.bytedeco.javacpp.platform.extension";

  private static final String ONEDNN_LIBRARY =
      "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-onednn/libnd4jcpu.so";

  private Backend() {}

  /** Chooses the oneDNN build where it is available, then loads ND4J. Safe to call any number of times. */
  public static synchronized void initialise() {
    if (System.getProperty(PLATFORM_EXTENSION) == null
        && Backend.class.getClassLoader().getResource(ONEDNN_LIBRARY) != null) {
      System.setProperty(PLATFORM_EXTENSION, "-onednn");
    }
    Nd4j.getBackend();
  }

  /** A short description for provenance, such as {@code cpu+onednn} or {@code cuda}. */
  public static String describe() {
    initialise();
    String name = Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend", "unknown")
        .toLowerCase(Locale.ROOT);
    return hasOneDnn() ? name + "+onednn" : name;
  }

  /** Whether the loaded native library was built with oneDNN. */
  public static boolean hasOneDnn() {
    initialise();
    return NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo().contains("HAVE_ONEDNN");
  }
}
