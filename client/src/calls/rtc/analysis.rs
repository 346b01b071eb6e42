//! Measuring what a call delivered: the loudness and pitch of received sound, and whether a
//! received picture is the test pattern. Used by the tests of every layer (media, calls through a
//! server, the app) and by anything that checks a call end to end with synthetic devices.

use super::{AUDIO_SAMPLE_RATE, I420Frame, TEST_PATTERN_BARS, VIDEO_HEIGHT, VIDEO_WIDTH};

/// Root mean square of the samples (0 for none).
pub fn rms(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    (samples.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / samples.len() as f64).sqrt()
}

/// The frequency of a steady tone at [`AUDIO_SAMPLE_RATE`], from the median time between its
/// rising zero crossings (interpolated), so a dropout or a concealed packet does not skew it;
/// `None` when there are too few crossings to call it a tone.
pub fn tone_frequency(samples: &[i16]) -> Option<f64> {
    let mut crossings = Vec::new();
    for (i, pair) in samples.windows(2).enumerate() {
        let (a, b) = (f64::from(pair[0]), f64::from(pair[1]));
        if a < 0.0 && b >= 0.0 {
            crossings.push(i as f64 + a / (a - b));
        }
    }
    if crossings.len() <= 10 {
        return None;
    }
    let mut periods: Vec<f64> = crossings.windows(2).map(|pair| pair[1] - pair[0]).collect();
    periods.sort_by(f64::total_cmp);
    let median = periods[periods.len() / 2];
    Some(f64::from(AUDIO_SAMPLE_RATE) / median)
}

/// Whether `frame` shows the test pattern's eight colour bars (each checked in three rows, within
/// a codec's tolerance); the error says which bar differs.
pub fn shows_test_pattern(frame: &I420Frame) -> Result<(), String> {
    if (frame.width, frame.height) != (VIDEO_WIDTH, VIDEO_HEIGHT) {
        return Err(format!("{}x{}, not {VIDEO_WIDTH}x{VIDEO_HEIGHT}", frame.width, frame.height));
    }
    let bar_width = VIDEO_WIDTH / 8;
    for (bar, &(y, u, v)) in TEST_PATTERN_BARS.iter().enumerate() {
        let x = bar as u32 * bar_width + bar_width / 2;
        for row in [VIDEO_HEIGHT / 8, VIDEO_HEIGHT * 3 / 8, VIDEO_HEIGHT * 5 / 8] {
            let got = frame.yuv_at(x, row);
            let close = |a: u8, b: u8| a.abs_diff(b) <= 16;
            if !(close(got.0, y) && close(got.1, u) && close(got.2, v)) {
                return Err(format!("bar {bar} at ({x}, {row}) is {got:?}, expected {:?}", (y, u, v)));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{AUDIO_FRAME_SAMPLES, AudioSource, TestPatternSource, ToneSource, VideoSource};
    use super::*;

    #[test]
    fn a_tone_is_measured_and_silence_is_none() {
        let mut tone = ToneSource::new(440.0);
        let mut samples = Vec::new();
        for _ in 0..10 {
            let mut frame = [0i16; AUDIO_FRAME_SAMPLES];
            tone.read_frame(&mut frame);
            samples.extend_from_slice(&frame);
        }
        let heard = tone_frequency(&samples).expect("a tone");
        assert!((heard - 440.0).abs() < 1.0, "{heard}");
        assert!(rms(&samples) > 1000.0);
        assert_eq!(tone_frequency(&[0; 4800]), None);
        // A dropout in the middle (as a lost packet leaves) does not move it.
        let mut gapped = samples.clone();
        gapped.splice(2000..2000, std::iter::repeat_n(0, 960));
        let heard = tone_frequency(&gapped).expect("a tone");
        assert!((heard - 440.0).abs() < 1.0, "{heard}");
        assert_eq!(rms(&[]), 0.0);
    }

    #[test]
    fn the_pattern_passes_and_black_does_not() {
        let frame = TestPatternSource::new().next_frame().expect("a frame");
        assert_eq!(shows_test_pattern(&frame), Ok(()));
        let black = I420Frame::black(VIDEO_WIDTH, VIDEO_HEIGHT, std::time::Duration::ZERO);
        assert!(shows_test_pattern(&black).is_err());
    }
}
