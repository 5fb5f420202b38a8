package io.streamnet.dashboard.browser;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The system's Chromium driven through the system's chromedriver (Debian's {@code chromium} and
 * {@code chromium-driver}): both are given to Selenium by path, so nothing is downloaded at run
 * time. {@link #find()} says why not when either is missing.
 */
final class HeadlessChromium {
    static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
    static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

    /** The browser and its driver, or the reason there are none. */
    record Found(File browser, File driver, String missing) {
    }

    private HeadlessChromium() {
    }

    static Found find() {
        File browser = first(System.getenv("STREAMNET_CHROMIUM"), BROWSERS);
        File driver = first(System.getenv("STREAMNET_CHROMEDRIVER"), DRIVERS);
        if (browser == null || driver == null) {
            return new Found(null, null, (browser == null ? "no Chromium in " + BROWSERS : "no chromedriver in " + DRIVERS)
                    + " (Debian: apt-get install chromium chromium-driver; or set STREAMNET_CHROMIUM / STREAMNET_CHROMEDRIVER)");
        }
        return new Found(browser, driver, null);
    }

    /** A headless browser with a fresh profile under {@code profiles}. */
    static ChromeDriver start(Found found, Path profiles) throws IOException {
        Path profile = Files.createTempDirectory(Files.createDirectories(profiles), "chromium-");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(found.browser());
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(found.driver())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, o);
    }

    private static File first(String override, List<String> candidates) {
        if (override != null && !override.isBlank()) {
            File f = new File(override);
            return f.canExecute() ? f : null;
        }
        for (String c : candidates) {
            File f = new File(c);
            if (f.canExecute()) {
                return f;
            }
        }
        return null;
    }
}
