import RecKit
